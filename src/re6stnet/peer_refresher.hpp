// Keeps the peer cache fed: every --peers-db-refresh it
// declares our endpoints and fetches a fresh peer list from the registry.
// When the tunnels run out of unused peers it refreshes sooner (at most once
// a minute: in a small network every peer may simply be in use), and when the
// registry's private URL cannot be reached, as for a node that has no tunnel
// yet, it asks the public URL for a bootstrap peer. A registry that is down,
// slow or answers nonsense is logged and retried, never fatal.
//
// A state machine driven by the daemon's loop: run(now) does what is due and
// due() says when to call again; completions of registry calls call
// `changed` so the loop re-reads due().
#pragma once

#include "re6stnet/peer_db.hpp"
#include "re6stnet/registry_client.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace re6st {

class PeerRefresher {
public:
    using Clock = std::chrono::steady_clock;

    struct Settings {
        std::chrono::seconds interval{3600};   // --peers-db-refresh
        std::chrono::seconds first_retry{5};   // after a failure, doubling...
        std::chrono::seconds longest_retry{30};   // ...up to this
        // For this long after a tunnel comes up, a failure is retried
        // after settling_retry: the route to the registry's private
        // address arrives over it within a second or two.
        std::chrono::seconds settling{10};
        std::chrono::seconds settling_retry{1};
        // Between two bootstrap requests that brought no new peer,
        // doubling up to longest_retry: the first nodes of a network
        // started cold find none until one of them has declared itself.
        std::chrono::seconds first_bootstrap_retry{1};
        std::chrono::seconds starving{60};     // between refreshes for want of peers
        std::size_t capacity = 200;            // peers asked for and kept
        Network network{Ipv6Prefix()};         // bootstrap peers must be of it
    };

    // Decrypts a bootstrap peer with the node's key, then calls back with
    // the plaintext, or nullopt and why not.
    using Decrypted = std::function<void(std::optional<std::string>, const std::string& error)>;
    using Decrypt = std::function<void(const std::string& ciphertext, Decrypted done)>;

    PeerRefresher(PeerDb& db, Registry& registry, Decrypt decrypt, Settings settings);

    // Our endpoint list, "ip,port,proto;..." (empty: not known yet, nothing
    // to declare). A change is declared at once.
    void set_address(const std::string& address, Clock::time_point now);
    const std::string& address() const { return address_; }

    // The tunnels found no fresh peer for a free slot, or found one again:
    // the only source of that truth (TunnelManager::fill()).
    void want_peers(Clock::time_point now);
    void satisfied();
    // A tunnel came up: the private URL may be reachable now, so a failed
    // refresh is retried soon rather than after its grown delay, and so
    // are the failures of the next few seconds; the bootstrap delay starts
    // again from its first value.
    void tunnel_up(Clock::time_point now);

    void run(Clock::time_point now);
    Clock::time_point due() const;
    bool busy() const { return busy_; }

    // Called after every registry answer (or failure), from the loop.
    std::function<void()> changed;

private:
    void refresh(Clock::time_point now);
    void with_private_url(std::function<void(const Url&)> next);
    void declare(const Url& url);
    void fetch_peers(const Url& url);
    void bootstrap(Clock::time_point now);
    bool add_bootstrap_peer(const std::string& plaintext);
    void succeeded();
    void failed(const std::string& what);
    void finish();

    PeerDb& db_;
    Registry& registry_;
    Decrypt decrypt_;
    Settings settings_;
    std::string address_;
    bool busy_ = false;
    bool last_failed_ = false;   // the last refresh failed
    bool starving_ = false;              // free slots and no unused peer
    bool bootstrap_due_ = false;         // starving, and the registry's private URL failed
    Clock::time_point started_;          // of the call in flight
    Clock::time_point last_success_ = Clock::time_point::min();
    Clock::time_point next_refresh_;     // epoch: at once
    Clock::time_point next_bootstrap_;
    Clock::time_point settling_until_;   // of the last tunnel up
    std::chrono::seconds retry_;
    std::chrono::seconds bootstrap_retry_;
};

}  // namespace re6st
