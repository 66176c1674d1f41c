// The registry's Prometheus metrics (docs/metrics.rst): calls by method and
// outcome with their latency, and certificates issued and renewed, counted
// as calls are answered; open connections and the database's figures, read
// at each scrape, off the io thread.
#pragma once

#include "common/metrics.hpp"
#include "common/sqlite.hpp"
#include "registry/call_context.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace re6st::registry {

// A method's label: its name if the registry serves it (method_names),
// else "other".
std::string_view method_label(std::string_view method);

// What the database holds, as the metrics show it.
struct DatabaseFigures {
    std::int64_t nodes = 0;            // peers declared within the peer expiry
    std::int64_t tokens_pending = 0;   // mailed, neither used nor expired
    std::int64_t revoked = 0;          // revoked certificates on record
    std::int64_t size_bytes = 0;       // the file and its write-ahead log
};

// Reads them from `db`, a connection to the file at `path`, as of `now`
// (seconds since the epoch).
DatabaseFigures read_database_figures(sqlite::Database& db, const std::string& path,
                                      std::int64_t now, std::chrono::seconds peer_expiry,
                                      std::chrono::seconds token_lifetime);

class RegistryMetrics {
public:
    struct Sources {
        std::string version;          // of the program, for build_info
        std::int64_t ca_not_after;    // the CA certificate's end, seconds since the epoch
        // Read at each scrape, on the scrape thread.
        std::function<std::size_t()> open_connections;
        std::function<DatabaseFigures()> database;
    };

    // Adds the registry's families to `set`. A database read that fails at
    // a scrape is logged, and the gauges keep their last values.
    RegistryMetrics(metrics::MetricSet& set, Sources sources);

    // A call answered: a CallDispatcher::Observer.
    void record_call(std::string_view method, const CallContext& context,
                     std::chrono::steady_clock::duration elapsed);

private:
    void collect();

    Sources sources_;
    metrics::CounterFamily& requests_;
    metrics::HistogramFamily& duration_;
    metrics::Counter& issued_;
    metrics::Counter& renewed_;
    metrics::Gauge& open_connections_;
    metrics::Gauge& nodes_;
    metrics::Gauge& tokens_pending_;
    metrics::Gauge& revoked_;
    metrics::Gauge& database_size_;
};

}  // namespace re6st::registry
