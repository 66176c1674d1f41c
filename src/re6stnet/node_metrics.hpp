// The node's Prometheus metrics (docs/metrics.rst): registry calls counted
// as they end; everything else read from the node's status at each scrape.
// Scrapes run on the metrics server's own thread: the status is asked of
// the daemon's loop, and the scrape waits for it, never the loop for the
// scrape.
#pragma once

#include "common/metrics.hpp"
#include "re6stnet/node_status.hpp"
#include "re6stnet/registry_calls.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace re6st {

class NodeMetrics {
public:
    // Asks for the status, on the loop; the answer comes on the loop too.
    using StatusSource = std::function<void(std::function<void(NodeStatus)>)>;

    // `wait`: how long a scrape waits for the status before it serves the
    // values of the last one.
    NodeMetrics(boost::asio::io_context& io, StatusSource source, const std::string& version,
                std::chrono::milliseconds wait = std::chrono::seconds(5));
    ~NodeMetrics();

    metrics::MetricSet& set() { return set_; }

    // A registry call ended (RegistryCalls::observer).
    void record_call(std::string_view method, RegistryCalls::Outcome outcome,
                     std::chrono::steady_clock::duration elapsed);
    // Sets every family read from a status.
    void update(const NodeStatus& status);
    // From the loop, before the source goes: a scrape waiting for it gives up,
    // and none asks again.
    void close();

private:
    struct Shared {
        std::mutex mutex;
        std::condition_variable answered;
        bool closed = false;
    };
    void collect();

    boost::asio::io_context& io_;
    StatusSource source_;
    std::chrono::milliseconds wait_;
    std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
    metrics::MetricSet set_;
    metrics::CounterFamily& registry_requests_;
    metrics::HistogramFamily& registry_duration_;
    metrics::GaugeFamily& tunnels_;
    metrics::GaugeFamily& received_;
    metrics::GaugeFamily& sent_;
    metrics::Counter& starts_;
    metrics::CounterFamily& failures_;
    metrics::Counter& replacements_;
    metrics::CounterFamily& restarts_;
    metrics::Gauge& babeld_up_;
    metrics::Gauge& neighbours_;
    metrics::Gauge& routes_;
    metrics::Gauge& known_peers_;
    metrics::Gauge& unused_peers_;
    metrics::Gauge& failed_peers_;
    metrics::Gauge& certificate_not_after_;
    metrics::Gauge& ca_not_after_;
    metrics::Gauge& upnp_enabled_;
    metrics::Gauge& upnp_mapped_;
};

}  // namespace re6st
