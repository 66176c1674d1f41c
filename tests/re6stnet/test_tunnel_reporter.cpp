// Reporting the tunnels: when the set changed, paced by --config-refresh,
// refreshed when unchanged, and never again to a registry without the
// method.
#include "re6stnet/tunnel_reporter.hpp"

#include "scripted_registry.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace std::chrono_literals;

namespace {

const Url url = Url::parse("http://[2001:db8:42::1]:9080/");
const std::string call = "reportTunnels http://[2001:db8:42::1]:9080/ ";

class Reporter : public ::testing::Test {
protected:
    test::ScriptedRegistry registry;
    TunnelReporter reporter{registry, {.period = 60s, .refresh = 300s}};
    TunnelReporter::Clock::time_point t0{};

    void run(std::chrono::seconds at, const std::set<std::string>& peers,
             const std::optional<Url>& private_url = url)
    {
        reporter.run(t0 + at, peers, private_url);
    }
};

}  // namespace

TEST_F(Reporter, AChangedSetIsReportedAtMostOncePerPeriod)
{
    run(0s, {"2/16", "1/16"});
    EXPECT_EQ(registry.report_calls, (std::vector<std::string>{call + "1/16 2/16"}));
    run(1s, {"1/16"});   // one call at a time
    registry.answer_report();
    run(59s, {"1/16"});   // too soon
    EXPECT_EQ(registry.report_calls.size(), 1u);
    run(60s, {"1/16"});
    registry.answer_report();
    EXPECT_EQ(registry.report_calls.back(), call + "1/16");
    // Unchanged: nothing until it is 5 minutes old.
    run(120s, {"1/16"});
    run(359s, {"1/16"});
    EXPECT_EQ(registry.report_calls.size(), 2u);
    run(360s, {"1/16"});
    EXPECT_EQ(registry.report_calls, (std::vector<std::string>{call + "1/16 2/16", call + "1/16",
                                                               call + "1/16"}));
}

TEST_F(Reporter, AFailureIsRetriedWithTheSamePacing)
{
    registry.reachable = false;
    run(0s, {"1/16"});
    registry.answer_report();
    run(30s, {"1/16"});
    EXPECT_EQ(registry.report_calls.size(), 1u);
    registry.reachable = true;
    run(60s, {"1/16"});
    registry.answer_report();
    EXPECT_EQ(registry.report_calls.size(), 2u);
    run(120s, {"1/16"});   // stored: unchanged since
    EXPECT_EQ(registry.report_calls.size(), 2u);
}

TEST_F(Reporter, NothingWithoutThePrivateUrl)
{
    run(0s, {}, std::nullopt);
    EXPECT_TRUE(registry.report_calls.empty());
    run(1s, {"1/16"});   // not paced: nothing was sent
    EXPECT_EQ(registry.report_calls, (std::vector<std::string>{call + "1/16"}));
}

TEST_F(Reporter, ARegistryWithoutTheMethodIsNeverAskedAgain)
{
    registry.report_method = false;
    run(0s, {"1/16"});
    registry.answer_report();
    EXPECT_TRUE(reporter.abandoned());
    run(3600s, {"2/16"});
    EXPECT_EQ(registry.report_calls.size(), 1u);
}

TEST_F(Reporter, ThePeriodFollowsTheNetwork)
{
    run(0s, {"1/16"});
    registry.answer_report();
    reporter.set_period(600s);
    run(300s, {"2/16"});
    EXPECT_EQ(registry.report_calls.size(), 1u);
    run(600s, {"2/16"});
    EXPECT_EQ(registry.report_calls.back(), call + "2/16");
}

TEST(TunnelReportText, CnsSeparatedBySpaces)
{
    EXPECT_EQ(tunnel_report_text({}), "");
    EXPECT_EQ(tunnel_report_text({"3/16", "10/16", "48/20"}), "10/16 3/16 48/20");
}
