// The registry's metrics: calls counted by method and outcome, certificates
// by the methods that issued them, and the database's figures read with the
// same expiry rules as the registry's own.
#include "registry/registry_metrics.hpp"

#include "common/log.hpp"
#include "registry/registry_database.hpp"
#include "registry/xmlrpc_methods.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

using namespace re6st;
using namespace re6st::registry;
using namespace std::chrono_literals;

namespace {

// The value of the sample `series` (name and labels, as written) in `text`.
std::optional<std::string> sample(const std::string& text, const std::string& series)
{
    auto at = text.find("\n" + series + " ");
    if (at == text.npos)
        return std::nullopt;
    at += series.size() + 2;
    return text.substr(at, text.find('\n', at) - at);
}

CallContext ran(std::initializer_list<CallContext::Ran> methods)
{
    CallContext context("192.0.2.1", false);
    for (const auto& method : methods)
        context.record(method.method, method.outcome);
    return context;
}

}  // namespace

TEST(RegistryMetrics, MethodLabels)
{
    for (auto name : method_names)
        EXPECT_EQ(method_label(name), name);
    for (const char* other : {"", "system.multicall", "getEverything", "getca"})
        EXPECT_EQ(method_label(other), "other") << other;
}

TEST(RegistryMetrics, CallsByMethodAndOutcome)
{
    metrics::MetricSet set;
    RegistryMetrics metrics(set, {"1.2.3", 1900000000, {}, {}});
    metrics.record_call("getCa", ran({{"getCa", CallOutcome::ok}}), 2ms);
    metrics.record_call("getCa", ran({{"getCa", CallOutcome::ok}}), 30ms);
    metrics.record_call("requestCertificate", ran({{"requestCertificate", CallOutcome::ok}}), 5ms);
    metrics.record_call("requestCertificate", ran({{"requestCertificate", CallOutcome::fault}}),
                        1ms);
    metrics.record_call("renewCertificate", ran({{"renewCertificate", CallOutcome::error}}), 1ms);
    metrics.record_call("getEverything", ran({}), 1ms);
    // Inside system.multicall: "other", and the certificate still counts.
    metrics.record_call("system.multicall", ran({{"renewCertificate", CallOutcome::ok},
                                                 {"getCa", CallOutcome::fault}}),
                        1ms);
    auto text = set.scrape();
    auto requests = [&](const char* method, const char* outcome) {
        return sample(text, std::string("re6st_registry_requests_total{method=\"") + method
                                + "\",outcome=\"" + outcome + "\"}");
    };
    EXPECT_EQ(requests("getCa", "ok"), "2");
    EXPECT_EQ(requests("getCa", "fault"), "0");
    EXPECT_EQ(requests("requestCertificate", "ok"), "1");
    EXPECT_EQ(requests("requestCertificate", "fault"), "1");
    EXPECT_EQ(requests("renewCertificate", "error"), "1");
    EXPECT_EQ(requests("other", "fault"), "2");
    EXPECT_EQ(requests("declare", "ok"), "0");   // every method and outcome from the start
    EXPECT_EQ(sample(text, "re6st_registry_certificates_issued_total"), "1");
    EXPECT_EQ(sample(text, "re6st_registry_certificates_renewed_total"), "1");

    auto duration = [&](const std::string& series) {
        return sample(text, "re6st_registry_request_duration_seconds_" + series);
    };
    EXPECT_EQ(duration("bucket{method=\"getCa\",le=\"0.0025\"}"), "1");
    EXPECT_EQ(duration("bucket{method=\"getCa\",le=\"0.025\"}"), "1");
    EXPECT_EQ(duration("bucket{method=\"getCa\",le=\"0.05\"}"), "2");
    EXPECT_EQ(duration("bucket{method=\"getCa\",le=\"+Inf\"}"), "2");
    EXPECT_EQ(duration("count{method=\"getCa\"}"), "2");
    EXPECT_NEAR(std::stod(duration("sum{method=\"getCa\"}").value_or("0")), 0.032, 1e-9);
    EXPECT_EQ(duration("count{method=\"other\"}"), "2");

    EXPECT_EQ(sample(text, "re6st_registry_build_info{version=\"1.2.3\"}"), "1");
    EXPECT_EQ(sample(text, "re6st_registry_ca_not_after_timestamp_seconds"), "1900000000");
}

TEST(RegistryMetrics, GaugesReadAtScrape)
{
    metrics::MetricSet set;
    std::size_t connections = 3;
    DatabaseFigures figures{5, 2, 1, 65536};
    RegistryMetrics metrics(set, {"1", 0, [&] { return connections; }, [&] { return figures; }});
    auto text = set.scrape();
    EXPECT_EQ(sample(text, "re6st_registry_open_connections"), "3");
    EXPECT_EQ(sample(text, "re6st_registry_nodes"), "5");
    EXPECT_EQ(sample(text, "re6st_registry_tokens_pending"), "2");
    EXPECT_EQ(sample(text, "re6st_registry_revoked_certificates"), "1");
    EXPECT_EQ(sample(text, "re6st_registry_database_size_bytes"), "65536");
    connections = 0;
    figures.nodes = 6;
    text = set.scrape();
    EXPECT_EQ(sample(text, "re6st_registry_open_connections"), "0");
    EXPECT_EQ(sample(text, "re6st_registry_nodes"), "6");
}

// A database that cannot be read leaves the last figures, and says so.
TEST(RegistryMetrics, FailedDatabaseReadKeepsTheLastFigures)
{
    metrics::MetricSet set;
    bool broken = false;
    RegistryMetrics metrics(set, {"1", 0, {}, [&] {
                                      if (broken)
                                          throw std::runtime_error("disk I/O error");
                                      return DatabaseFigures{4, 0, 0, 4096};
                                  }});
    set.scrape();
    broken = true;
    std::vector<std::string> warnings;
    log::set_sink([&](log::Level level, std::string_view line) {
        if (level == log::Level::warning)
            warnings.emplace_back(line);
    });
    auto text = set.scrape();
    log::set_sink({});
    EXPECT_EQ(sample(text, "re6st_registry_nodes"), "4");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], "metrics: cannot read the database: disk I/O error");
}

TEST(RegistryMetrics, DatabaseFigures)
{
    test::TempDir dir;
    auto path = dir / "registry.db";
    auto db = open_registry_database(path, Durability::power_loss);
    const std::int64_t now = 1'800'000'000;
    // Peers expire at date <= now - expiry, tokens at date + lifetime <= now.
    db.execute("INSERT INTO peers VALUES ('01', 'a', ?)", now);
    db.execute("INSERT INTO peers VALUES ('10', 'b', ?)", now - 86399);
    db.execute("INSERT INTO peers VALUES ('11', 'c', ?)", now - 86400);
    db.execute("INSERT INTO tokens VALUES ('t1', 'a@b.c', 16, ?)", now - 3599);
    db.execute("INSERT INTO tokens VALUES ('t2', 'a@b.c', 16, ?)", now - 3600);
    db.execute("INSERT INTO revoked VALUES ('0A', '1/16', ?, ?)", now + 100, now - 100);

    sqlite::Database reader(path, SQLITE_OPEN_READONLY);
    auto figures = read_database_figures(reader, path, now, 86400s, 3600s);
    EXPECT_EQ(figures.nodes, 2);
    EXPECT_EQ(figures.tokens_pending, 1);
    EXPECT_EQ(figures.revoked, 1);
    auto wal = std::filesystem::exists(path + "-wal") ? std::filesystem::file_size(path + "-wal")
                                                      : 0;
    EXPECT_EQ(figures.size_bytes, std::int64_t(std::filesystem::file_size(path) + wal));
    EXPECT_GT(figures.size_bytes, 0);
}
