// The client tunnels: ceil(connection-count / 2) slots, each an
// OpenVPN client to a random peer from the cache on its own tap
// ("re6stnetN"). A tunnel that dies marks its peer failed and frees its
// slot; free slots are refilled at each tick; at each tunnel refresh the
// tunnels carrying the fewest routes give way to fresh peers. The number of
// slots follows the network's configuration while tunnels run.
#pragma once

#include "re6stnet/babel/babel_dump.hpp"
#include "re6stnet/openvpn/openvpn_command.hpp"
#include "re6stnet/openvpn/openvpn_process.hpp"
#include "re6stnet/openvpn/persistent_tap.hpp"
#include "re6stnet/peer_db.hpp"
#include "re6stnet/process/child.hpp"
#include "re6stnet/tunnel_policy.hpp"

#include <deque>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace re6st {

class TunnelManager {
public:
    struct Settings {
        unsigned slots = 10;   // client tunnels wanted
        unsigned refresh_count = 1;
        OpenVpnSettings openvpn;
        // The underlay families this host can reach: endpoints of another
        // are never tried (each would cost a --server-poll-timeout).
        std::set<AddressFamily> families{AddressFamily::ipv4, AddressFamily::ipv6};
        std::string log_dir;
        std::chrono::milliseconds close_grace{5000};   // SIGTERM, then SIGKILL
        // How long a tunnel we close keeps carrying packets after babeld
        // stopped using it: long enough for the babeld at its other end to
        // find our hellos gone and route around it (drain_time).
        std::chrono::milliseconds drain{0};
    };

    // What babeld is told about a tap. `forget` before a tunnel closes:
    // our babeld routes around it at once, the peer's when our hellos stop,
    // while the tunnel still carries what both sent before. `declare` once
    // its process has ended, for the next tunnel on that tap. `connected`
    // each time a tunnel reports it carries packets.
    // `run` makes each tap persistent before its process starts and deletes
    // it when the process ends (PersistentTap), so that a tunnel can be
    // restarted on it; without, OpenVPN makes and deletes its own.
    struct TapRouting {
        std::function<void(const std::string& tap)> forget;
        std::function<void(const std::string& tap)> declare;
        std::function<void(const std::string& tap)> connected;
        CommandRunner run;
        TapSweeper* sweeper;   // none when made with {}
    };

    TunnelManager(const ProcessContext& context, PeerDb& db, Settings settings,
                  HookChannel::Handler on_hook, TapRouting routing = {});
    ~TunnelManager();

    // Whether fill() may pick a peer connected to one of our servers: a
    // second link to the same node, wanted only while our servers are being
    // replaced, which drops the links they carry.
    enum class Incoming { skip, include };

    // Starts tunnels in free slots; returns how many slots found no fresh
    // peer: no unused peer at all, or only one whose tunnel failed before
    // (retried meanwhile, but fresh peers are wanted).
    unsigned fill(Incoming incoming = Incoming::skip);
    // Tunnels whose peer answered (their route-up hook ran).
    unsigned connected_count() const;

    // The tunnel refresh: forget LAN peers of the previous count, blacklist
    // those seen now and close our tunnels to them, then close the tunnels
    // that carry the fewest routes (none while there is a surplus).
    void refresh(const RouteCount& routes);

    // The families tunnels started from now on may use (usable_families).
    void set_families(std::set<AddressFamily> families);
    // Settings for the tunnels started from now on. More slots get their
    // taps at once: returns the new taps' names. With fewer, the tunnels
    // beyond them run on until close_surplus() closes them.
    std::vector<std::string> reconfigure(Settings settings);
    // Running tunnels beyond the slots wanted.
    unsigned surplus() const;
    // Closes one surplus tunnel, the one carrying the fewest routes (ties
    // at random); its peer stays usable. Returns whether it closed one.
    bool close_surplus(const RouteCount& routes);
    // Whether a tunnel of ours, or to one of our servers, is up: the
    // overlay, and the registry's private URL, may then be reachable.
    bool connected() const;

    // Replaces the running tunnel started longest ago, if it started no
    // later than `before` (its OpenVPN process holds the certificate files
    // as they were then): a tunnel that is up is restarted in place, a new
    // process to the same peer on the same tap, whose babeld neighbour
    // and routes stay; any other (or without a persistent tap) is closed,
    // its peer staying usable. Returns whether it replaced one.
    bool recycle_oldest(Clock::time_point before);
    // Whether a running tunnel started no later than `before`.
    bool started_before(Clock::time_point before) const;

    // Closes at once, without draining, every tunnel whose peer presented
    // a certificate of these serials (decimal) and forgets those peers.
    // Returns how many it closed.
    unsigned close_revoked(const std::set<std::string>& serials);

    // Peers connected to one of our servers: a tunnel to them would be a
    // second link to the same node, so they are skipped while connected.
    void incoming_connected(const std::string& prefix);
    void incoming_disconnected(const std::string& prefix);

    // Closes every tunnel; `done` once all have ended.
    void stop(std::chrono::milliseconds grace, std::function<void()> done);

    // A tunnel that runs, drains or closes, as the node's status shows it.
    struct View {
        std::string interface;
        std::string peer;                  // bits
        std::vector<Endpoint> endpoints;   // what OpenVPN tries, in order
        enum class State { connecting, up, draining, closing } state = State::connecting;
        Clock::time_point since;           // started, or up (its route-up hook ran)
    };
    std::vector<View> views() const;

    // What happened to the tunnels since the manager was made. A failure
    // is a tunnel that ended by itself: "unreachable" before it was up
    // (no answer, refused, or a certificate either end would not accept:
    // OpenVPN exits alike), "lost" after (its peer went silent), or that
    // could not be started ("error"); "revoked": closed for its peer's
    // certificate. A replacement is a tunnel closed for a fresher one: a
    // refresh, or a rollover to new certificate files.
    struct Counts {
        std::uint64_t starts = 0;
        std::map<std::string, std::uint64_t> failures{
            {"unreachable", 0}, {"lost", 0}, {"error", 0}, {"revoked", 0}};
        std::uint64_t replacements = 0;
    };
    const Counts& counts() const { return counts_; }

    std::vector<std::string> interfaces() const;   // every slot's tap name
    std::vector<std::string> peers() const;        // peers with a tunnel now
    void reopen_logs();

private:
    struct Slot {
        std::unique_ptr<OpenVpnProcess> openvpn;   // its tap, log and hooks
        // A closing slot waits for its process to end before its tap name
        // can serve another tunnel; a draining one, for its peer's babeld
        // to stop routing through it, before it is stopped.
        enum class State { free, running, draining, closing } state = State::free;
        std::string peer;
        bool connected = false;   // its route-up hook ran
        std::vector<Endpoint> endpoints;
        Clock::time_point up_since;
        std::string serial;       // of the peer's certificate, from that hook
        bool forgotten = false;   // babeld was told to forget its tap
        Clock::time_point started;
        std::unique_ptr<Child> child;
        std::unique_ptr<Timer> drain;
        std::unique_ptr<PersistentTap> tap;   // none without TapRouting::run
        bool restarting = false;   // a new process follows when this one ends
    };
    void add_slot();
    // Starts the slot's OpenVPN client; false (logged) if it cannot.
    bool launch(Slot& slot, const OpenVpnClient& client);
    unsigned running() const;
    std::vector<TunnelUsage> usage(const RouteCount& routes) const;
    bool start(Slot& slot, const Peer& peer);
    const Slot* oldest_slot(Clock::time_point before) const;
    void ended(Slot& slot, int status);
    void close(Slot& slot);
    void stop_process(Slot& slot);

    void hook_reported(Slot& slot, const HookMessage& message);

    ProcessContext context_;
    PeerDb& db_;
    Settings settings_;
    HookChannel::Handler on_hook_;
    TapRouting routing_;
    std::deque<Slot> slots_;   // a deque: hooks hold references to slots added since
    std::multiset<std::string> incoming_;
    Counts counts_;
    bool stopping_ = false;
    std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace re6st
