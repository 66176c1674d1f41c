// The client tunnels.
#include "re6stnet/tunnel_manager.hpp"

#include "common/endpoint.hpp"
#include "common/log.hpp"
#include "re6stnet/host_network.hpp"

#include <algorithm>
#include <memory>

namespace re6st {

namespace {

using namespace std::chrono_literals;

// A tunnel up for less than this carries few routes only because babeld
// has not moved them yet: a refresh does not judge it by its count.
constexpr auto settling_time = 15s;

std::string cn(const std::string& bits)
{
    return cn_from_bits(bits);
}

}  // namespace

TunnelManager::TunnelManager(const ProcessContext& context, PeerDb& db, Settings settings,
                             HookChannel::Handler on_hook, TapRouting routing)
    : context_(context), db_(db), settings_(std::move(settings)), on_hook_(std::move(on_hook)),
      routing_(std::move(routing))
{
    while (slots_.size() < settings_.slots)
        add_slot();
}

void TunnelManager::add_slot()
{
    auto i = slots_.size();
    auto& slot = slots_.emplace_back();
    slot.drain = context_.clock.make_timer();
    slot.openvpn = std::make_unique<OpenVpnProcess>(
        context_.io, client_interface(i),
        settings_.log_dir + "/re6stnet-client" + std::to_string(i) + ".log",
        [this, &slot](const HookMessage& message) { hook_reported(slot, message); });
    if (routing_.run)
        slot.tap = std::make_unique<PersistentTap>(routing_.run, client_interface(i),
                                                   routing_.sweeper);
}

std::vector<std::string> TunnelManager::reconfigure(Settings settings)
{
    settings_ = std::move(settings);
    std::vector<std::string> added;
    while (slots_.size() < settings_.slots) {
        add_slot();
        added.push_back(slots_.back().openvpn->interface());
    }
    return added;
}

unsigned TunnelManager::running() const
{
    unsigned count = 0;
    for (const auto& slot : slots_)
        count += slot.state == Slot::State::running;
    return count;
}

unsigned TunnelManager::surplus() const
{
    auto count = running();
    return count > settings_.slots ? count - settings_.slots : 0;
}

bool TunnelManager::connected() const
{
    if (!incoming_.empty())
        return true;
    for (const auto& slot : slots_)
        if (slot.state == Slot::State::running && slot.connected)
            return true;
    return false;
}

TunnelManager::~TunnelManager() = default;

std::vector<std::string> TunnelManager::interfaces() const
{
    std::vector<std::string> names;
    for (const auto& slot : slots_)
        names.push_back(slot.openvpn->interface());
    return names;
}

std::vector<TunnelManager::View> TunnelManager::views() const
{
    std::vector<View> views;
    for (const auto& slot : slots_) {
        if (slot.state == Slot::State::free)
            continue;
        View view{slot.openvpn->interface(), slot.peer, slot.endpoints};
        view.since = slot.connected ? slot.up_since : slot.started;
        switch (slot.state) {
        case Slot::State::running:
            view.state = slot.connected ? View::State::up : View::State::connecting;
            break;
        case Slot::State::draining:
            view.state = View::State::draining;
            break;
        default:
            view.state = View::State::closing;
        }
        views.push_back(std::move(view));
    }
    return views;
}

std::vector<std::string> TunnelManager::peers() const
{
    std::vector<std::string> peers;
    for (const auto& slot : slots_)
        if (slot.state == Slot::State::running)
            peers.push_back(slot.peer);
    return peers;
}

unsigned TunnelManager::connected_count() const
{
    return static_cast<unsigned>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& slot) {
        return slot.state == Slot::State::running && slot.connected;
    }));
}

void TunnelManager::set_families(std::set<AddressFamily> families)
{
    settings_.families = std::move(families);
}

unsigned TunnelManager::fill(Incoming incoming)
{
    auto count = running();
    if (stopping_ || count >= settings_.slots)
        return 0;
    std::vector<Slot*> free;
    for (auto& slot : slots_)
        if (slot.state == Slot::State::free && free.size() < settings_.slots - count)
            free.push_back(&slot);
    if (free.empty())
        return 0;
    std::set<std::string> skip;
    if (incoming == Incoming::skip)
        skip.insert(incoming_.begin(), incoming_.end());
    auto candidates = db_.unused_peers(free.size(), skip);
    std::size_t next = 0, fresh = 0;
    for (const auto& peer : candidates) {
        if (next == free.size())
            break;
        bool failed_before = db_.use_of(peer.prefix) == PeerDb::Use::failed;
        if (start(*free[next], peer)) {
            ++next;
            if (!failed_before)
                ++fresh;
        }
    }
    return free.size() - fresh;
}

bool TunnelManager::start(Slot& slot, const Peer& peer)
{
    OpenVpnClient client;
    client.interface = slot.openvpn->interface();
    client.peer_cn = cn(peer.prefix);
    client.endpoints = usable_endpoints(peer.endpoints, settings_.families);
    if (client.endpoints.empty()) {
        if (peer.endpoints.empty())
            log::warning("peer ", client.peer_cn, ": it accepts no tunnel; forgetting it");
        else
            log::info("peer ", client.peer_cn, ": no endpoint of a family this host can reach (",
                      peer.address(), "); skipping it");
        db_.set_use(peer.prefix, PeerDb::Use::failed);
        return false;
    }
    if (!launch(slot, client))
        return false;
    slot.endpoints = client.endpoints;
    slot.peer = peer.prefix;
    db_.set_use(peer.prefix, PeerDb::Use::used);
    log::info("tunnel ", client.interface, ": connecting to ", client.peer_cn, " at ", peer.address());
    return true;
}

bool TunnelManager::launch(Slot& slot, const OpenVpnClient& client)
{
    if (slot.tap)
        slot.tap->keep();
    try {
        auto process = slot.openvpn->prepare(openvpn_client_command(settings_.openvpn, client));
        slot.child = std::make_unique<Child>(
            context_, "tunnel " + client.interface + " to " + client.peer_cn, std::move(process),
            [this, &slot](int status) { ended(slot, status); });
    } catch (const std::exception& error) {
        log::error("cannot open a tunnel to ", client.peer_cn, ": ", error.what());
        slot.openvpn->forget_hooks();
        if (slot.tap)
            slot.tap->remove();
        ++counts_.failures["error"];
        return false;
    }
    ++counts_.starts;
    slot.state = Slot::State::running;
    slot.started = context_.clock.now();
    return true;
}

void TunnelManager::hook_reported(Slot& slot, const HookMessage& message)
{
    if (message.event == HookMessage::Event::route_up) {
        // Again after the client connected again: its server restarted,
        // maybe with a renewed certificate.
        slot.serial = message.serial;
        if (!slot.connected) {
            slot.connected = true;
            slot.up_since = context_.clock.now();
            log::info("tunnel ", slot.openvpn->interface(), " to ", cn(slot.peer), " is up");
        }
        if (routing_.connected && !stopping_)
            routing_.connected(slot.openvpn->interface());
    }
    on_hook_(message);
}

// The OpenVPN client ended: closed by us, or by itself because the peer is
// unreachable, refused us, or stopped answering (--ping-exit).
void TunnelManager::ended(Slot& slot, int status)
{
    if (slot.restarting) {
        slot.restarting = false;
        slot.openvpn->forget_hooks();
        slot.child.reset();
        slot.connected = false;
        if (!stopping_ && launch(slot, {slot.openvpn->interface(), slot.endpoints, cn(slot.peer)})) {
            log::info("tunnel ", slot.openvpn->interface(), ": connecting again to ", cn(slot.peer));
            return;
        }
        db_.set_use(slot.peer, PeerDb::Use::unused);
        slot.state = Slot::State::closing;   // freed below
    }
    // First of all: babeld retracts the routes through the tap at once.
    if (slot.tap)
        slot.tap->remove();
    if (slot.state == Slot::State::running) {
        if (slot.connected)
            log::info("tunnel ", slot.openvpn->interface(), " to ", cn(slot.peer), " ended: ",
                      describe_exit(status));
        else
            log::info("tunnel ", slot.openvpn->interface(), ": no connection to ", cn(slot.peer), ": ",
                      describe_exit(status));
        db_.set_use(slot.peer, stopping_ ? PeerDb::Use::unused : PeerDb::Use::failed);
        if (!stopping_)
            ++counts_.failures[slot.connected ? "lost" : "unreachable"];
    }
    slot.drain->cancel();
    slot.state = Slot::State::free;
    slot.connected = false;
    slot.serial.clear();
    slot.peer.clear();
    slot.endpoints.clear();
    slot.openvpn->forget_hooks();
    slot.child.reset();
    if (slot.forgotten) {
        slot.forgotten = false;
        if (routing_.declare && !stopping_)
            routing_.declare(slot.openvpn->interface());
    }
}

// A tunnel that carries routes is drained first: closed at once, the
// babeld at its other end would route into it until it noticed our hellos
// gone.
void TunnelManager::close(Slot& slot)
{
    db_.set_use(slot.peer, PeerDb::Use::unused);
    if (!slot.connected || settings_.drain.count() <= 0 || !routing_.forget) {
        log::info("tunnel ", slot.openvpn->interface(), ": closing the tunnel to ", cn(slot.peer));
        stop_process(slot);
        return;
    }
    log::info("tunnel ", slot.openvpn->interface(), ": routing around the tunnel to ",
              cn(slot.peer), ", closing it in ", settings_.drain.count(), " ms");
    slot.state = Slot::State::draining;
    slot.forgotten = true;
    routing_.forget(slot.openvpn->interface());
    context_.clock.wait_for(*slot.drain, settings_.drain, [this, &slot] {
        log::info("tunnel ", slot.openvpn->interface(), ": closing the tunnel to ", cn(slot.peer));
        stop_process(slot);
    });
}

void TunnelManager::stop_process(Slot& slot)
{
    slot.drain->cancel();
    slot.state = Slot::State::closing;
    slot.child->stop(settings_.close_grace);
}

void TunnelManager::refresh(const RouteCount& routes)
{
    db_.clear_blacklist(PeerDb::Blacklist::lan);
    for (const auto& prefix : routes.lan_prefixes) {
        log::debug("node ", cn(prefix), " is on our LAN: no tunnel to it");
        db_.blacklist(prefix, PeerDb::Blacklist::lan);
    }
    // A tunnel to a node on our LAN only doubles the LAN link.
    for (auto& slot : slots_)
        if (slot.state == Slot::State::running && routes.lan_prefixes.count(slot.peer))
            close(slot);
    if (surplus() > 0)
        return;   // close_surplus() closes those first, one at a time
    auto doomed = tunnels_to_replace(usage(routes), settings_.slots, settings_.refresh_count,
                                     random_);
    for (const auto& peer : doomed)
        for (auto& slot : slots_)
            if (slot.state == Slot::State::running && slot.peer == peer) {
                ++counts_.replacements;
                close(slot);
            }
}

bool TunnelManager::close_surplus(const RouteCount& routes)
{
    if (surplus() == 0)
        return false;
    // Closing a tunnel that carries nothing yet costs nothing: the surplus
    // goes by route count alone, young tunnels first if they carry least.
    auto tunnels = usage(routes);
    for (auto& tunnel : tunnels)
        tunnel.young = false;
    auto doomed = tunnels_to_replace(tunnels, settings_.slots, 0, random_);
    for (auto& slot : slots_)
        if (slot.state == Slot::State::running && slot.peer == doomed.front()) {
            log::info("tunnel ", slot.openvpn->interface(), " to ", cn(slot.peer),
                      " is beyond the ", settings_.slots, " wanted");
            close(slot);
            return true;
        }
    return false;
}

std::vector<TunnelUsage> TunnelManager::usage(const RouteCount& routes) const
{
    std::vector<TunnelUsage> usage;
    for (const auto& slot : slots_) {
        if (slot.state != Slot::State::running)
            continue;
        auto found = routes.per_interface.find(slot.openvpn->interface());
        unsigned count = found == routes.per_interface.end() ? 0 : found->second;
        log::debug("tunnel ", slot.openvpn->interface(), " to ", cn(slot.peer), " carries ", count,
                   " routes");
        bool young = !slot.connected || context_.clock.now() - slot.up_since < settling_time;
        usage.push_back({slot.peer, count, young});
    }
    return usage;
}

const TunnelManager::Slot* TunnelManager::oldest_slot(Clock::time_point before) const
{
    const Slot* oldest = nullptr;
    for (const auto& slot : slots_)
        if (slot.state == Slot::State::running && !slot.restarting && slot.started <= before
            && (!oldest || slot.started < oldest->started))
            oldest = &slot;
    return oldest;
}

bool TunnelManager::recycle_oldest(Clock::time_point before)
{
    auto* oldest = oldest_slot(before);
    if (!oldest)
        return false;
    auto& slot = const_cast<Slot&>(*oldest);   // one of our own slots
    ++counts_.replacements;
    if (!slot.connected || !slot.tap || !slot.tap->kept()) {
        close(slot);
        return true;
    }
    // The peer's server drops the old connection when the new one, with
    // the same certificate name, comes in.
    log::info("tunnel ", slot.openvpn->interface(), " to ", cn(slot.peer),
              ": restarting it on the same tap, with the new certificate files");
    slot.restarting = true;
    slot.child->stop(settings_.close_grace);
    return true;
}

bool TunnelManager::started_before(Clock::time_point before) const
{
    return oldest_slot(before) != nullptr;
}

unsigned TunnelManager::close_revoked(const std::set<std::string>& serials)
{
    unsigned closed = 0;
    for (auto& slot : slots_) {
        if ((slot.state != Slot::State::running && slot.state != Slot::State::draining)
            || slot.serial.empty() || !serials.count(slot.serial))
            continue;
        log::warning("tunnel ", slot.openvpn->interface(), " to ", cn(slot.peer),
                     ": its certificate (serial ", slot.serial, ") is revoked; closing it");
        db_.remove(slot.peer);
        stop_process(slot);
        ++counts_.failures["revoked"];
        ++closed;
    }
    return closed;
}

void TunnelManager::incoming_connected(const std::string& prefix)
{
    incoming_.insert(prefix);
}

void TunnelManager::incoming_disconnected(const std::string& prefix)
{
    auto found = incoming_.find(prefix);
    if (found != incoming_.end())
        incoming_.erase(found);
}

void TunnelManager::stop(std::chrono::milliseconds grace, std::function<void()> done)
{
    stopping_ = true;
    auto remaining = std::make_shared<std::size_t>(1);
    auto one_done = [remaining, done = std::move(done)] {
        if (--*remaining == 0 && done)
            done();
    };
    for (auto& slot : slots_) {
        if (!slot.child)
            continue;
        slot.drain->cancel();
        ++*remaining;
        slot.child->stop(grace, one_done);
    }
    one_done();
}

void TunnelManager::reopen_logs()
{
    for (auto& slot : slots_)
        slot.openvpn->reopen_log();
}

}  // namespace re6st
