// The daemon's status, and what serves it: the control socket and the
// metrics endpoint, both on the daemon's loop.
#include "common/certificate_serial.hpp"
#include "common/listen_address.hpp"
#include "common/log.hpp"
#include "common/metrics_server.hpp"
#include "re6stnet/control_socket.hpp"
#include "re6stnet/daemon.hpp"
#include "re6stnet/node_metrics.hpp"
#include "re6stnet/node_status_json.hpp"

#ifndef RE6ST_VERSION
#error "RE6ST_VERSION must be defined"
#endif

namespace re6st {

namespace {

using namespace std::chrono_literals;
using Tunnel = NodeStatus::Tunnel;

// How long a status waits for babeld's dump: a person is waiting.
constexpr auto babeld_wait = 1s;

std::string endpoint_text(const Endpoint& endpoint)
{
    return endpoint.family() == AddressFamily::ipv6
               ? "[" + endpoint.ip + "]:" + std::to_string(endpoint.port)
               : endpoint.ip + ":" + std::to_string(endpoint.port);
}

const char* state_name(TunnelManager::View::State state)
{
    switch (state) {
    case TunnelManager::View::State::connecting:
        return "connecting";
    case TunnelManager::View::State::up:
        return "up";
    case TunnelManager::View::State::draining:
        return "draining";
    default:
        return "closing";
    }
}

std::vector<std::string> split(const std::string& text, char separator)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find(separator, start);
        if (end == text.npos)
            end = text.size();
        if (end > start)
            parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

}  // namespace

void Daemon::open_control()
{
    control_ = std::make_unique<ControlServer>(
        io_, plan_.control_socket, [this](const std::string& request, ControlServer::Answer answer) {
            if (request != "status") {
                answer("{\"error\":\"unknown request\"}\n");
                return;
            }
            status([answer](NodeStatus status) { answer(status_json(status) + "\n"); });
        });
    if (!plan_.metrics)
        return;
    metrics_ = std::make_unique<NodeMetrics>(
        io_, [this](std::function<void(NodeStatus)> done) { status(std::move(done)); },
        RE6ST_VERSION);
    if (services_.registry_calls)
        services_.registry_calls->observer = [metrics = metrics_.get()](
                                                 std::string_view method,
                                                 RegistryCalls::Outcome outcome,
                                                 std::chrono::steady_clock::duration elapsed) {
            metrics->record_call(method, outcome, elapsed);
        };
    try {
        metrics_server_ = metrics::MetricsServer::bind(io_, *plan_.metrics, metrics_->set());
    } catch (const std::exception& error) {
        throw std::runtime_error(std::string("--metrics: ") + error.what());
    }
    metrics_server_->start();
    log::info("metrics on http://", format_listen_address(metrics_server_->local_endpoint()),
              "/metrics");
}

std::optional<boost::asio::ip::tcp::endpoint> Daemon::metrics_endpoint() const
{
    if (!metrics_server_)
        return std::nullopt;
    return metrics_server_->local_endpoint();
}

void Daemon::close_control()
{
    control_.reset();
    if (metrics_)
        metrics_->close();   // a scrape waiting for a status stops waiting
    if (metrics_server_)
        metrics_server_->stop();
    metrics_server_.reset();
    if (services_.registry_calls)
        services_.registry_calls->observer = nullptr;
    metrics_.reset();
}

void Daemon::status(std::function<void(NodeStatus)> done)
{
    struct Pending {
        NodeStatus status;
        std::function<void(NodeStatus)> done;
        std::unique_ptr<Timer> timer;
        bool answered = false;

        void answer()
        {
            if (answered)
                return;
            answered = true;
            timer->cancel();
            done(std::move(status));
        }
    };
    auto pending = std::make_shared<Pending>();
    pending->status = status_now();
    pending->done = std::move(done);
    if (!babel_control_ || stopping_) {
        pending->done(std::move(pending->status));
        return;
    }
    pending->timer = services_.clock.make_timer();
    // babeld answers every request in the end (or the request times out):
    // the request holds the status, the timer only a weak reference.
    services_.clock.wait_for(*pending->timer, babeld_wait,
                             [weak = std::weak_ptr<Pending>(pending)] {
                                 if (auto p = weak.lock())
                                     p->answer();
                             });
    babel_control_->request("dump", [pending, network = plan_.identity.network](
                                        const std::string& error, const std::string& data) {
        if (pending->answered)
            return;
        if (error.empty())
            add_babel_view(pending->status, parse_babel_dump(data), network);
        pending->answer();
    });
}

NodeStatus Daemon::status_now()
{
    auto wall_now = std::chrono::time_point_cast<std::chrono::seconds>(services_.wall());
    auto steady_now = services_.clock.now();
    auto wall_of = [&](Clock::time_point when) {
        return wall_now - std::chrono::duration_cast<std::chrono::seconds>(steady_now - when);
    };
    NodeStatus status;
    status.version = RE6ST_VERSION;
    status.generated = wall_now;

    const auto& id = plan_.identity;
    auto& identity = status.identity;
    identity.prefix = cn_from_bits(id.prefix);
    identity.subnet = id.subnet.to_string();
    identity.address = id.address.to_string();
    auto certificate = renewer_ ? renewer_->certificate_dates() : id.certificate_dates;
    auto ca = renewer_ ? renewer_->ca_dates() : id.ca_dates;
    identity.certificate_not_after =
        std::chrono::time_point_cast<std::chrono::seconds>(certificate.not_after);
    identity.ca_not_after = std::chrono::time_point_cast<std::chrono::seconds>(ca.not_after);
    // Read again only after a renewal: openssl runs once per certificate.
    auto renewals = renewer_ ? renewer_->renewals() : 0;
    if (renewals != own_serial_renewals_) {
        own_serial_renewals_ = renewals;
        try {
            own_serial_ = serial_text(OpenSslTool(services_.run).serial(plan_.tunnels.openvpn.cert));
        } catch (const std::exception& error) {
            log::warning("status: ", error.what());
            own_serial_.clear();
        }
    }
    identity.certificate_serial = own_serial_;

    auto& registry = status.registry;
    registry.url = plan_.registry.to_string();
    if (const auto* calls = services_.registry_calls) {
        registry.last_refresh = calls->last_success("getPeerList");
        registry.last_declaration = calls->last_success("declare");
        registry.last_error = calls->last_error();
    }
    if (network_config_ && network_config_->current())
        registry.config_version = network_config_->current()->version;

    if (refresher_)
        status.endpoints.advertised = split(refresher_->address(), ';');
    status.endpoints.upnp = port_mapper_ != nullptr;
    for (const auto& mapped : own_.mapped)
        status.endpoints.mapped.push_back(format_endpoints({mapped}));

    auto bytes = [&](const std::string& interface) {
        return read_interface_bytes(services_.sys_net_dir, interface);
    };
    for (const auto& server : servers_) {
        const auto& plan = server->plan.openvpn;
        NodeStatus::Server s;
        s.interface = plan.interface;
        s.transport = transport_name(plan.transport);
        s.port = plan.port;
        s.running = server->process->running();
        s.clients = static_cast<unsigned>(server->clients.size());
        if (auto counted = bytes(plan.interface)) {
            s.rx_bytes = counted->rx;
            s.tx_bytes = counted->tx;
        }
        status.servers.push_back(std::move(s));
    }

    if (tunnels_)
        for (const auto& view : tunnels_->views()) {
            Tunnel tunnel;
            tunnel.direction = Tunnel::Direction::client;
            tunnel.interface = view.interface;
            tunnel.peer = cn_from_bits(view.peer);
            for (const auto& endpoint : view.endpoints)
                tunnel.endpoints.push_back(endpoint_text(endpoint));
            if (!view.endpoints.empty())
                tunnel.transport = transport_name(view.endpoints.front().transport());
            tunnel.state = state_name(view.state);
            if (view.state != TunnelManager::View::State::connecting)
                tunnel.up_since = wall_of(view.since);
            if (auto counted = bytes(view.interface)) {
                tunnel.rx_bytes = counted->rx;
                tunnel.tx_bytes = counted->tx;
            }
            status.tunnels.push_back(std::move(tunnel));
        }
    for (const auto& server : servers_)
        for (const auto& [cn, serial] : server->clients) {
            const auto& plan = server->plan.openvpn;
            Tunnel tunnel;
            tunnel.direction = Tunnel::Direction::server;
            tunnel.interface = plan.interface;
            tunnel.peer = cn;
            tunnel.endpoints = {":" + std::to_string(plan.port)};
            tunnel.transport = transport_name(plan.transport);
            tunnel.state = "up";
            if (auto since = server->connected.find(cn); since != server->connected.end())
                tunnel.up_since = wall_of(since->second);
            status.tunnels.push_back(std::move(tunnel));
        }

    if (peers_) {
        status.peers.known = peers_->size();
        status.peers.unused = peers_->fresh_count();
        status.peers.failed = peers_->unused_count() - status.peers.unused;
    }

    if (tunnels_) {
        const auto& counts = tunnels_->counts();
        status.counters.tunnel_starts = counts.starts;
        status.counters.tunnel_failures = counts.failures;
        status.counters.tunnel_replacements = counts.replacements;
    }
    // Every start after the first is a restart.
    auto restarts = [](const SupervisedProcess& process) {
        return process.starts() > 0 ? process.starts() - 1 : 0;
    };
    auto& restarted = status.counters.restarts;
    restarted["babeld"] = babeld_ ? restarts(*babeld_) : 0;
    restarted["openvpn"] = 0;
    for (const auto& server : servers_)
        restarted["openvpn"] += restarts(*server->process);
    return status;
}

}  // namespace re6st
