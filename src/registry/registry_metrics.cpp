// The registry's metrics.
#include "registry/registry_metrics.hpp"

#include "common/log.hpp"
#include "registry/xmlrpc_methods.hpp"

#include <algorithm>
#include <filesystem>
#include <tuple>

namespace re6st::registry {

namespace {

constexpr std::string_view other_method = "other";

std::vector<std::string> method_values()
{
    std::vector<std::string> values(method_names.begin(), method_names.end());
    values.emplace_back(other_method);
    return values;
}

std::string_view outcome_label(CallOutcome outcome)
{
    switch (outcome) {
    case CallOutcome::ok: return "ok";
    case CallOutcome::fault: return "fault";
    case CallOutcome::error: return "error";
    }
    return "error";
}

// From a quarter of a millisecond (a cached answer) to the 30 s an SMTP
// relay may take for requestToken.
const std::vector<double> duration_buckets = {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                              0.025,   0.05,   0.1,   0.25,   0.5,   1,
                                              2.5,     5,      10,    30};

std::int64_t size_or_zero(const std::string& path)
{
    std::error_code error;
    auto size = std::filesystem::file_size(path, error);
    return error ? 0 : std::int64_t(size);
}

}  // namespace

std::string_view method_label(std::string_view method)
{
    auto known = std::find(method_names.begin(), method_names.end(), method);
    return known == method_names.end() ? other_method : *known;
}

DatabaseFigures read_database_figures(sqlite::Database& db, const std::string& path,
                                      std::int64_t now, std::chrono::seconds peer_expiry,
                                      std::chrono::seconds token_lifetime)
{
    // The same bounds as the peer directory's and the token store's own
    // expiry: a peer is gone at date <= now - expiry, a token at
    // date + lifetime <= now. One statement: one read snapshot.
    auto statement = db.prepare("SELECT (SELECT count(*) FROM peers WHERE date > ?1),"
                                " (SELECT count(*) FROM tokens WHERE date > ?2),"
                                " (SELECT count(*) FROM revoked)");
    auto row = statement.query_row<std::int64_t, std::int64_t, std::int64_t>(
        now - peer_expiry.count(), now - token_lifetime.count());
    DatabaseFigures figures;
    if (row)
        std::tie(figures.nodes, figures.tokens_pending, figures.revoked) = *row;
    figures.size_bytes = size_or_zero(path) + size_or_zero(path + "-wal");
    return figures;
}

RegistryMetrics::RegistryMetrics(metrics::MetricSet& set, Sources sources)
    : sources_(std::move(sources)),
      requests_(set.counter("re6st_registry_requests_total",
                            "XML-RPC calls answered, by the method they name (\"other\": an "
                            "unknown method, or system.multicall) and how they ended (ok; fault: "
                            "refused, invalid or impossible now; error: internal error).",
                            {{"method", method_values()}, {"outcome", {"ok", "fault", "error"}}})),
      duration_(set.histogram("re6st_registry_request_duration_seconds",
                              "Time from receiving an XML-RPC call to its answer, waiting for "
                              "a worker included, by method.",
                              duration_buckets, {{"method", method_values()}})),
      issued_(set.counter("re6st_registry_certificates_issued_total",
                          "Certificates issued to new nodes (requestCertificate).")
                  .with()),
      renewed_(set.counter("re6st_registry_certificates_renewed_total",
                           "Certificates renewed (renewCertificate).")
                   .with()),
      open_connections_(set.gauge("re6st_registry_open_connections",
                                  "HTTP connections open now.")
                            .with()),
      nodes_(set.gauge("re6st_registry_nodes",
                       "Nodes that declared their endpoints within --peer-expiry.")
                 .with()),
      tokens_pending_(set.gauge("re6st_registry_tokens_pending",
                                "Tokens mailed and neither used nor expired.")
                          .with()),
      revoked_(set.gauge("re6st_registry_revoked_certificates",
                         "Revoked certificates on record, which every node refuses; each is "
                         "kept until it expires.")
                   .with()),
      database_size_(set.gauge("re6st_registry_database_size_bytes",
                               "Size of the database file and its write-ahead log.")
                         .with())
{
    set.gauge("re6st_registry_ca_not_after_timestamp_seconds",
              "End of validity of the CA certificate, in seconds since the epoch.")
        .with()
        .set(double(sources_.ca_not_after));
    set.gauge("re6st_registry_build_info", "Always 1; the label says which version runs.",
              {{"version", {sources_.version}}})
        .with({sources_.version})
        .set(1);
    set.on_scrape([this] { collect(); });
}

void RegistryMetrics::record_call(std::string_view method, const CallContext& context,
                                  std::chrono::steady_clock::duration elapsed)
{
    auto label = method_label(method);
    requests_.with({label, outcome_label(context.outcome())}).inc();
    duration_.with({label}).observe(std::chrono::duration<double>(elapsed).count());
    for (const auto& ran : context.ran) {
        if (ran.outcome != CallOutcome::ok)
            continue;
        if (ran.method == "requestCertificate")
            issued_.inc();
        else if (ran.method == "renewCertificate")
            renewed_.inc();
    }
}

void RegistryMetrics::collect()
{
    if (sources_.open_connections)
        open_connections_.set(double(sources_.open_connections()));
    if (!sources_.database)
        return;
    try {
        auto figures = sources_.database();
        nodes_.set(double(figures.nodes));
        tokens_pending_.set(double(figures.tokens_pending));
        revoked_.set(double(figures.revoked));
        database_size_.set(double(figures.size_bytes));
    } catch (const std::exception& error) {
        log::warning("metrics: cannot read the database: ", error.what());
    }
}

}  // namespace re6st::registry
