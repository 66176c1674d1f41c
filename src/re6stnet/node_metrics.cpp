// The node's Prometheus metrics.
#include "re6stnet/node_metrics.hpp"

#include "common/log.hpp"

#include <boost/asio/post.hpp>

#include <optional>

namespace re6st {

namespace {

using Direction = NodeStatus::Tunnel::Direction;

// A registry call crosses the network, the overlay often: milliseconds to
// the client's 20 s timeout.
const std::vector<double> call_buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                          0.5,   1,    2.5,   5,    10,  20};
const std::vector<std::string> directions = {"client", "server"};
const std::vector<std::string> states = {"connecting", "up", "draining", "closing"};
const std::vector<std::string> failure_reasons = {"unreachable", "lost", "error", "revoked"};
const std::vector<std::string> programs = {"babeld", "openvpn"};

std::vector<std::string> method_values()
{
    return {RegistryCalls::methods.begin(), RegistryCalls::methods.end()};
}

double seconds_since_epoch(NodeStatus::Time time)
{
    return double(std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch())
                      .count());
}

// A counter follows a count kept elsewhere, which only grows.
void follow(metrics::Counter& counter, std::uint64_t count)
{
    if (double(count) > counter.value())
        counter.inc(double(count) - counter.value());
}

}  // namespace

NodeMetrics::NodeMetrics(boost::asio::io_context& io, StatusSource source,
                         const std::string& version, std::chrono::milliseconds wait)
    : io_(io), source_(std::move(source)), wait_(wait),
      registry_requests_(set_.counter(
          "re6stnet_registry_requests_total",
          "Calls to the registry, by method and how they ended (ok; refused: a declaration or "
          "renewal refused, or a method the registry lacks; error: no answer, or a fault).",
          {{"method", method_values()}, {"outcome", {"ok", "refused", "error"}}})),
      registry_duration_(set_.histogram("re6stnet_registry_request_duration_seconds",
                                        "Time from a call to the registry to its end, by method.",
                                        call_buckets, {{"method", method_values()}})),
      tunnels_(set_.gauge("re6stnet_tunnels",
                          "Tunnels now, by direction (client: ours; server: a peer's to one of "
                          "our servers) and state.",
                          {{"direction", directions}, {"state", states}})),
      received_(set_.gauge("re6stnet_tunnel_received_bytes",
                           "Bytes received on the taps of the tunnels open now (client) and of "
                           "the servers (server), as their counters say; a tap that closes "
                           "takes its bytes with it.",
                           {{"direction", directions}})),
      sent_(set_.gauge("re6stnet_tunnel_sent_bytes",
                       "Bytes sent on the same taps.", {{"direction", directions}})),
      starts_(set_.counter("re6stnet_tunnel_starts_total", "Client tunnels started.").with()),
      failures_(set_.counter("re6stnet_tunnel_failures_total",
                             "Client tunnels that failed, by reason: unreachable (ended before "
                             "it was up: no answer, refused, or a certificate not accepted), "
                             "lost (its peer went silent once up), error (could not be "
                             "started), revoked (closed for its peer's revoked certificate).",
                             {{"reason", failure_reasons}})),
      replacements_(set_.counter("re6stnet_tunnel_replacements_total",
                                 "Client tunnels closed for a fresher one: at a tunnel refresh, "
                                 "or for new certificate files.")
                        .with()),
      restarts_(set_.counter("re6stnet_child_restarts_total",
                             "Restarts of the supervised children, by program: after a crash, or "
                             "a replacement (new certificate files, new network configuration).",
                             {{"program", programs}})),
      babeld_up_(set_.gauge("re6stnet_babeld_up",
                            "1 when babeld answered the last scrape's dump, else 0.")
                     .with()),
      neighbours_(set_.gauge("re6stnet_babeld_neighbours", "babeld's neighbours.").with()),
      routes_(set_.gauge("re6stnet_babeld_routes_installed",
                         "Routes babeld has installed in the kernel.")
                  .with()),
      known_peers_(set_.gauge("re6stnet_peer_cache_known_peers",
                              "Peers in the node's cache.")
                       .with()),
      unused_peers_(set_.gauge("re6stnet_peer_cache_unused_peers",
                               "Peers in the cache without a tunnel, never failed.")
                        .with()),
      failed_peers_(set_.gauge("re6stnet_peer_cache_failed_peers",
                               "Peers in the cache whose last tunnel failed.")
                        .with()),
      certificate_not_after_(
          set_.gauge("re6stnet_certificate_not_after_timestamp_seconds",
                     "End of validity of the node's certificate, in seconds since the epoch.")
              .with()),
      ca_not_after_(set_.gauge("re6stnet_ca_not_after_timestamp_seconds",
                               "End of validity of the CA certificate, in seconds since the "
                               "epoch.")
                        .with()),
      upnp_enabled_(set_.gauge("re6stnet_upnp_enabled",
                               "1 when the node asks a UPnP gateway for port mappings, else 0.")
                        .with()),
      upnp_mapped_(set_.gauge("re6stnet_upnp_mapped_ports",
                              "Ports the UPnP gateway maps to our servers now.")
                       .with())
{
    set_.gauge("re6stnet_build_info", "Always 1; the label says which version runs.",
               {{"version", {version}}})
        .with({version})
        .set(1);
    set_.on_scrape([this] { collect(); });
}

NodeMetrics::~NodeMetrics()
{
    close();
}

void NodeMetrics::close()
{
    std::lock_guard lock(shared_->mutex);
    shared_->closed = true;
    shared_->answered.notify_all();
}

void NodeMetrics::record_call(std::string_view method, RegistryCalls::Outcome outcome,
                              std::chrono::steady_clock::duration elapsed)
{
    registry_requests_.with({method, RegistryCalls::outcome_name(outcome)}).inc();
    registry_duration_.with({method}).observe(std::chrono::duration<double>(elapsed).count());
}

// On the scrape thread.
void NodeMetrics::collect()
{
    auto shared = shared_;
    auto answer = std::make_shared<std::optional<NodeStatus>>();
    {
        std::lock_guard lock(shared->mutex);
        if (shared->closed)
            return;
    }
    boost::asio::post(io_, [shared, answer, source = source_] {
        {
            std::lock_guard lock(shared->mutex);
            if (shared->closed)
                return;   // the source may be gone
        }
        source([shared, answer](NodeStatus status) {
            std::lock_guard lock(shared->mutex);
            *answer = std::move(status);
            shared->answered.notify_all();
        });
    });
    std::optional<NodeStatus> status;
    {
        std::unique_lock lock(shared->mutex);
        shared->answered.wait_for(lock, wait_, [&] { return shared->closed || answer->has_value(); });
        status = std::move(*answer);
    }
    if (status)
        update(*status);
    else
        log::warning("metrics: the daemon did not give its status in time; serving the last one");
}

void NodeMetrics::update(const NodeStatus& status)
{
    std::map<std::pair<std::string, std::string>, unsigned> tunnels;
    std::map<std::string, std::uint64_t> received, sent;
    for (const auto& tunnel : status.tunnels) {
        auto direction = direction_name(tunnel.direction);
        ++tunnels[{direction, tunnel.state}];
        received[direction] += tunnel.rx_bytes.value_or(0);
        sent[direction] += tunnel.tx_bytes.value_or(0);
    }
    for (const auto& server : status.servers) {
        received["server"] += server.rx_bytes.value_or(0);
        sent["server"] += server.tx_bytes.value_or(0);
    }
    for (const auto& direction : directions) {
        for (const auto& state : states)
            tunnels_.with({direction, state}).set(tunnels[{direction, state}]);
        received_.with({direction}).set(double(received[direction]));
        sent_.with({direction}).set(double(sent[direction]));
    }
    const auto& counters = status.counters;
    follow(starts_, counters.tunnel_starts);
    for (const auto& reason : failure_reasons) {
        auto found = counters.tunnel_failures.find(reason);
        follow(failures_.with({reason}), found == counters.tunnel_failures.end() ? 0 : found->second);
    }
    follow(replacements_, counters.tunnel_replacements);
    for (const auto& program : programs) {
        auto found = counters.restarts.find(program);
        follow(restarts_.with({program}), found == counters.restarts.end() ? 0 : found->second);
    }
    babeld_up_.set(status.babel ? 1 : 0);
    if (status.babel) {   // else the last values stand
        neighbours_.set(status.babel->neighbours);
        routes_.set(status.babel->routes_installed);
    }
    known_peers_.set(double(status.peers.known));
    unused_peers_.set(double(status.peers.unused));
    failed_peers_.set(double(status.peers.failed));
    certificate_not_after_.set(seconds_since_epoch(status.identity.certificate_not_after));
    ca_not_after_.set(seconds_since_epoch(status.identity.ca_not_after));
    upnp_enabled_.set(status.endpoints.upnp ? 1 : 0);
    upnp_mapped_.set(double(status.endpoints.mapped.size()));
}

}  // namespace re6st
