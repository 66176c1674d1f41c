// The text exposition of each family type: HELP and TYPE lines, label
// escaping, cumulative histogram buckets, bounded label sets.
#include "common/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace re6st::metrics;

TEST(Metrics, ValuesAsTheTextFormatWritesThem)
{
    struct Case {
        double value;
        const char* text;
    };
    for (auto [value, text] : {
             Case{0, "0"},
             Case{3, "3"},
             Case{-2, "-2"},
             Case{1764970000, "1764970000"},
             Case{0.005, "0.005"},
             Case{2.5, "2.5"},
             Case{1e-6, "1e-06"},
             Case{std::numeric_limits<double>::infinity(), "+Inf"},
             Case{-std::numeric_limits<double>::infinity(), "-Inf"},
             Case{std::nan(""), "NaN"},
         })
        EXPECT_EQ(format_value(value), text) << value;
}

TEST(Metrics, Escaping)
{
    EXPECT_EQ(escape_label_value(R"(a\b"c)" "\n" "d"), R"(a\\b\"c\nd)");
    EXPECT_EQ(escape_help(R"(a\b"c)" "\n" "d"), R"(a\\b"c\nd)");
}

TEST(Metrics, Counter)
{
    MetricSet set;
    auto& requests = set.counter("app_requests_total", "Requests answered.",
                                 {{"method", {"get", "put"}}});
    requests.with({"put"}).inc();
    requests.with({"put"}).inc(2);
    EXPECT_EQ(set.scrape(),
              "# HELP app_requests_total Requests answered.\n"
              "# TYPE app_requests_total counter\n"
              "app_requests_total{method=\"get\"} 0\n"
              "app_requests_total{method=\"put\"} 3\n");
    EXPECT_THROW(requests.with({"put"}).inc(-1), std::invalid_argument);
}

TEST(Metrics, CounterNamesEndInTotal)
{
    MetricSet set;
    EXPECT_THROW(set.counter("app_requests", "x"), std::invalid_argument);
}

TEST(Metrics, GaugeWithoutLabels)
{
    MetricSet set;
    auto& open = set.gauge("app_open_connections", "Connections open now.").with();
    open.add(3);
    open.add(-1);
    EXPECT_EQ(set.scrape(),
              "# HELP app_open_connections Connections open now.\n"
              "# TYPE app_open_connections gauge\n"
              "app_open_connections 2\n");
    open.set(0.25);
    EXPECT_EQ(open.value(), 0.25);
}

TEST(Metrics, GaugeComputedAtScrape)
{
    MetricSet set;
    auto& size = set.gauge("app_size_bytes", "Size.").with();
    int scrapes = 0;
    set.on_scrape([&] { size.set(1000 * ++scrapes); });
    EXPECT_NE(set.scrape().find("app_size_bytes 1000\n"), std::string::npos);
    EXPECT_NE(set.scrape().find("app_size_bytes 2000\n"), std::string::npos);
}

TEST(Metrics, LabelValuesEscaped)
{
    MetricSet set;
    auto& info = set.gauge("app_build_info", "Build.", {{"version", {}}}, 1);
    info.with({"1.0 \"beta\"\\\n"}).set(1);
    EXPECT_NE(set.scrape().find("app_build_info{version=\"1.0 \\\"beta\\\"\\\\\\n\"} 1\n"),
              std::string::npos)
        << set.scrape();
}

TEST(Metrics, HelpEscaped)
{
    MetricSet set;
    set.gauge("app_x", "a \\ b\nc");
    EXPECT_EQ(set.scrape(), "# HELP app_x a \\\\ b\\nc\n# TYPE app_x gauge\napp_x 0\n");
}

TEST(Metrics, HistogramBucketsAreCumulative)
{
    MetricSet set;
    auto& latency = set.histogram("app_duration_seconds", "Time taken.", {0.01, 0.1, 1},
                                  {{"method", {"get"}}});
    auto& get = latency.with({"get"});
    for (double seconds : {0.005, 0.01, 0.05, 0.5, 2.0})
        get.observe(seconds);
    EXPECT_EQ(set.scrape(),
              "# HELP app_duration_seconds Time taken.\n"
              "# TYPE app_duration_seconds histogram\n"
              "app_duration_seconds_bucket{method=\"get\",le=\"0.01\"} 2\n"
              "app_duration_seconds_bucket{method=\"get\",le=\"0.1\"} 3\n"
              "app_duration_seconds_bucket{method=\"get\",le=\"1\"} 4\n"
              "app_duration_seconds_bucket{method=\"get\",le=\"+Inf\"} 5\n"
              "app_duration_seconds_sum{method=\"get\"} 2.565\n"
              "app_duration_seconds_count{method=\"get\"} 5\n");
}

TEST(Metrics, HistogramWithoutLabels)
{
    MetricSet set;
    set.histogram("app_wait_seconds", "Wait.", {1}).with().observe(3);
    EXPECT_EQ(set.scrape(),
              "# HELP app_wait_seconds Wait.\n"
              "# TYPE app_wait_seconds histogram\n"
              "app_wait_seconds_bucket{le=\"1\"} 0\n"
              "app_wait_seconds_bucket{le=\"+Inf\"} 1\n"
              "app_wait_seconds_sum 3\n"
              "app_wait_seconds_count 1\n");
}

TEST(Metrics, HistogramBoundsChecked)
{
    MetricSet set;
    EXPECT_THROW(set.histogram("a_seconds", "x", {1, 1}), std::invalid_argument);
    EXPECT_THROW(set.histogram("b_seconds", "x", {2, 1}), std::invalid_argument);
    EXPECT_THROW(set.histogram("c_seconds", "x", {std::numeric_limits<double>::infinity()}),
                 std::invalid_argument);
    EXPECT_THROW(set.histogram("d_seconds", "x", {1}, {{"le", {"x"}}}), std::invalid_argument);
}

// Every combination of listed values is there from the start, in label
// order, so that rates start from 0.
TEST(Metrics, ListedValuesMakeEveryCombination)
{
    MetricSet set;
    set.counter("app_calls_total", "Calls.",
                {{"method", {"b", "a"}}, {"outcome", {"ok", "fault"}}});
    EXPECT_EQ(set.scrape(),
              "# HELP app_calls_total Calls.\n"
              "# TYPE app_calls_total counter\n"
              "app_calls_total{method=\"a\",outcome=\"fault\"} 0\n"
              "app_calls_total{method=\"a\",outcome=\"ok\"} 0\n"
              "app_calls_total{method=\"b\",outcome=\"fault\"} 0\n"
              "app_calls_total{method=\"b\",outcome=\"ok\"} 0\n");
}

TEST(Metrics, UnlistedValueRefused)
{
    MetricSet set;
    auto& calls = set.counter("app_calls_total", "Calls.", {{"method", {"get"}}});
    EXPECT_THROW(calls.with({"delete"}), std::invalid_argument);
    EXPECT_THROW(calls.with({}), std::invalid_argument);
    EXPECT_THROW(calls.with({"get", "x"}), std::invalid_argument);
}

TEST(Metrics, SeriesCap)
{
    MetricSet set;
    auto& peers = set.counter("app_peer_bytes_total", "Bytes per peer.", {{"peer", {}}}, 2);
    peers.with({"p1"}).inc(10);
    peers.with({"p2"}).inc(20);
    peers.with({"p3"}).inc(30);   // over the cap: dropped
    peers.with({"p1"}).inc(1);    // an existing series still counts
    EXPECT_EQ(peers.dropped(), 1u);
    EXPECT_EQ(set.scrape(),
              "# HELP app_peer_bytes_total Bytes per peer.\n"
              "# TYPE app_peer_bytes_total counter\n"
              "app_peer_bytes_total{peer=\"p1\"} 11\n"
              "app_peer_bytes_total{peer=\"p2\"} 20\n");
}

// HELP and TYPE even before a series exists.
TEST(Metrics, FamilyWithoutSeriesYet)
{
    MetricSet set;
    set.gauge("app_peer_up", "Peers.", {{"peer", {}}}, 10);
    EXPECT_EQ(set.scrape(), "# HELP app_peer_up Peers.\n# TYPE app_peer_up gauge\n");
}

TEST(Metrics, FreeLabelNeedsACap)
{
    MetricSet set;
    EXPECT_THROW(set.gauge("app_peer_up", "x", {{"peer", {}}}), std::invalid_argument);
}

TEST(Metrics, NamesChecked)
{
    MetricSet set;
    EXPECT_THROW(set.gauge("9lives", "x"), std::invalid_argument);
    EXPECT_THROW(set.gauge("app-x", "x"), std::invalid_argument);
    EXPECT_THROW(set.gauge("app_x", "x", {{"bad-label", {"a"}}}), std::invalid_argument);
    EXPECT_THROW(set.gauge("app_x", "x", {{"__reserved", {"a"}}}), std::invalid_argument);
    EXPECT_THROW(set.gauge("app_x", "x", {{"a", {"1"}}, {"a", {"2"}}}), std::invalid_argument);
    set.gauge("app:x", "x");
    EXPECT_THROW(set.gauge("app:x", "again"), std::invalid_argument);
}

TEST(Metrics, FamiliesInTheOrderAdded)
{
    MetricSet set;
    set.gauge("b", "B.");
    set.gauge("a", "A.");
    EXPECT_EQ(set.scrape(),
              "# HELP b B.\n# TYPE b gauge\nb 0\n# HELP a A.\n# TYPE a gauge\na 0\n");
}

// Updates from several threads while another scrapes: nothing is lost, and
// a histogram's +Inf bucket always equals its count.
TEST(Metrics, ConcurrentUpdates)
{
    MetricSet set;
    auto& calls = set.counter("app_calls_total", "Calls.", {{"worker", {}}}, 8);
    auto& seconds = set.histogram("app_call_seconds", "Time.", {0.5}).with();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10000; ++i) {
                calls.with({std::to_string(t % 2)}).inc();
                seconds.observe(i % 2);
            }
        });
    for (int i = 0; i < 50; ++i) {
        auto snapshot = seconds.snapshot();
        EXPECT_EQ(snapshot.cumulative.back(), snapshot.count);
        set.scrape();
    }
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(calls.with({"0"}).value() + calls.with({"1"}).value(), 40000);
    EXPECT_EQ(seconds.snapshot().count, 40000u);
    EXPECT_EQ(seconds.snapshot().sum, 20000);
}
