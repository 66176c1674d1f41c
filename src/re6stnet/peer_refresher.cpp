// Feeding the peer cache from the registry.
#include "re6stnet/peer_refresher.hpp"

#include "common/endpoint.hpp"
#include "common/log.hpp"

namespace re6st {

namespace {

std::int64_t wall_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

PeerRefresher::PeerRefresher(PeerDb& db, Registry& registry, Decrypt decrypt, Settings settings)
    : db_(db), registry_(registry), decrypt_(std::move(decrypt)), settings_(settings),
      retry_(settings.first_retry), bootstrap_retry_(settings.first_bootstrap_retry)
{
}

void PeerRefresher::set_address(const std::string& address, Clock::time_point now)
{
    if (address == address_)
        return;
    address_ = address;
    log::info("our endpoints are now \"", address, "\"");
    next_refresh_ = now;
}

void PeerRefresher::want_peers(Clock::time_point now)
{
    if (starving_)
        return;
    starving_ = true;
    auto soon = last_success_ == Clock::time_point::min()
                    ? now
                    : std::max(now, last_success_ + settings_.starving);
    if (!busy_)
        next_refresh_ = std::min(next_refresh_, soon);
}

void PeerRefresher::satisfied()
{
    starving_ = false;
    bootstrap_due_ = false;
    bootstrap_retry_ = settings_.first_bootstrap_retry;
}

void PeerRefresher::tunnel_up(Clock::time_point now)
{
    settling_until_ = now + settings_.settling;
    bootstrap_retry_ = settings_.first_bootstrap_retry;
    if (!last_failed_)
        return;
    retry_ = settings_.first_retry;
    if (!busy_)
        next_refresh_ = std::min(next_refresh_, now + settings_.settling_retry);
}

PeerRefresher::Clock::time_point PeerRefresher::due() const
{
    if (busy_)
        return Clock::time_point::max();
    return bootstrap_due_ ? std::min(next_refresh_, next_bootstrap_) : next_refresh_;
}

void PeerRefresher::run(Clock::time_point now)
{
    if (busy_)
        return;
    if (bootstrap_due_ && now >= next_bootstrap_)
        bootstrap(now);
    else if (now >= next_refresh_)
        refresh(now);
}

void PeerRefresher::refresh(Clock::time_point now)
{
    busy_ = true;
    started_ = now;
    log::debug("refreshing the peer cache from the registry");
    with_private_url([this](const Url& url) {
        if (address_.empty())
            fetch_peers(url);
        else
            declare(url);
    });
}

// The private URL is cached in peers.db: a node restarted while the
// registry is down still knows where to declare once the overlay is back.
void PeerRefresher::with_private_url(std::function<void(const Url&)> next)
{
    if (auto cached = db_.config("registry")) {
        try {
            next(Url::parse(*cached));
            return;
        } catch (const UrlError& bad) {
            log::warning("the cached private URL is no good, asking again: ", bad.what());
        }
    }
    registry_.private_address([this, next](std::optional<std::string> text,
                                           const std::string& error) {
        if (!text) {
            failed("getPrivateAddress: " + error);
            return;
        }
        Url url;
        try {
            url = Url::parse(*text);
        } catch (const UrlError& bad) {
            failed(std::string("getPrivateAddress: ") + bad.what());
            return;
        }
        db_.set_config("registry", *text);
        log::info("the registry's private URL is ", *text);
        next(url);
    });
}

void PeerRefresher::declare(const Url& url)
{
    registry_.declare(url, address_, [this, url](std::optional<bool> accepted,
                                                 const std::string& error) {
        if (!accepted) {
            failed("declare: " + error);
            return;
        }
        if (!*accepted)
            log::warning("the registry refused our declaration of \"", address_, "\"");
        else
            log::debug("declared \"", address_, "\" to the registry");
        fetch_peers(url);
    });
}

void PeerRefresher::fetch_peers(const Url& url)
{
    registry_.peer_list(url, settings_.capacity, [this](std::optional<std::vector<Peer>> peers,
                                                        const std::string& error) {
        if (!peers) {
            failed("getPeerList: " + error);
            return;
        }
        try {
            db_.merge(*peers, settings_.capacity, wall_seconds());
        } catch (const std::exception& db_error) {
            failed(std::string("storing the peer list: ") + db_error.what());
            return;
        }
        log::info("peer cache refreshed: ", peers->size(), " peers from the registry, ",
                  db_.unused_count(), " unused");
        succeeded();
    });
}

void PeerRefresher::bootstrap(Clock::time_point now)
{
    busy_ = true;
    started_ = now;
    log::info("no peer to connect to: asking the registry for a bootstrap peer");
    auto done = [this](bool ok) {
        busy_ = false;
        // A peer we knew and failed to reach is no progress: ask again soon,
        // the registry picks at random among the declared nodes.
        bootstrap_due_ = !ok || starving_;
        next_bootstrap_ = started_ + bootstrap_retry_;
        bootstrap_retry_ = std::min(bootstrap_retry_ * 2, settings_.longest_retry);
        finish();
    };
    registry_.bootstrap_peer([this, done](std::optional<std::string> encrypted,
                                          const std::string& error) {
        if (!encrypted) {
            log::warning("registry: getBootstrapPeer: ", error);
            done(false);
            return;
        }
        decrypt_(*encrypted, [this, done](std::optional<std::string> text,
                                          const std::string& why) {
            if (!text) {
                log::warning("registry: cannot decrypt the bootstrap peer: ", why);
                done(false);
                return;
            }
            done(add_bootstrap_peer(*text));
        });
    });
}

// Whether it is of any use (fresh or not) is for the tunnels to tell, at
// their next fill: want_peers() or satisfied().
bool PeerRefresher::add_bootstrap_peer(const std::string& text)
{
    try {
        auto peer = parse_bootstrap_peer(text, settings_.network);
        if (db_.add(peer, wall_seconds())) {
            log::info("bootstrap peer ", cn_from_bits(peer.prefix), " at ", peer.address());
        } else {
            log::warning("the bootstrap peer ", cn_from_bits(peer.prefix),
                         " is blacklisted (ourselves or on our LAN)");
        }
        return true;
    } catch (const std::exception& bad) {
        log::warning("registry: bad bootstrap peer: ", bad.what());
        return false;
    }
}

void PeerRefresher::succeeded()
{
    busy_ = false;
    bootstrap_due_ = false;
    last_failed_ = false;
    last_success_ = started_;
    retry_ = settings_.first_retry;
    next_refresh_ = started_ + settings_.interval;
    // Until the tunnels say the new peers will do, look again sooner.
    if (starving_)
        next_refresh_ = std::min(next_refresh_, started_ + settings_.starving);
    finish();
}

void PeerRefresher::failed(const std::string& what)
{
    busy_ = false;
    last_failed_ = true;
    // Without a tunnel the private URL is out of reach: bootstrap.
    if (starving_ && !bootstrap_due_) {
        bootstrap_due_ = true;
        next_bootstrap_ = started_;
    }
    if (started_ < settling_until_) {
        log::debug("registry: ", what, "; retrying in ", settings_.settling_retry.count(),
                   " s, a tunnel having just come up");
        next_refresh_ = started_ + settings_.settling_retry;
    } else {
        log::warning("registry: ", what, "; retrying in ", retry_.count(), " s");
        next_refresh_ = started_ + retry_;
        retry_ = std::min(retry_ * 2, settings_.longest_retry);
    }
    finish();
}

void PeerRefresher::finish()
{
    if (changed)
        changed();
}

}  // namespace re6st
