// re6st-sim's command line.
#include "sim/sim_options.hpp"

#include "common/options.hpp"
#include "sim/overlay.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::sim;

namespace {

SimOptions parse(std::vector<std::string> args)
{
    auto options = parse_sim_options(args, 2);
    if (!options)
        throw std::logic_error("unexpected --help");
    return *options;
}

}  // namespace

TEST(SimOptions, DefaultsFollowTheDaemon)
{
    auto options = parse({"2000"});
    EXPECT_EQ(options.nodes, 2000u);
    EXPECT_FALSE(options.plain_links);
    EXPECT_EQ(options.connection_count, 20u);
    EXPECT_EQ(options.client_tunnels, 10u);
    EXPECT_EQ(options.max_clients, 10u);   // as the daemon: as many in as out
    EXPECT_EQ(options.refresh_count, 1u);
    EXPECT_EQ(options.rounds, 0u);
    EXPECT_DOUBLE_EQ(options.kill, 0.5);
    EXPECT_EQ(options.samples, 1000u);
    EXPECT_EQ(options.sources, 2000u);   // exact
    EXPECT_EQ(options.ties, TieBreak::oldest);
    EXPECT_EQ(options.threads, 2u);
}

TEST(SimOptions, ClientTunnelsAreHalfTheConnectionCountRoundedUp)
{
    auto options = parse({"--nodes", "100", "--connection-count", "7"});
    EXPECT_EQ(options.client_tunnels, 4u);
    EXPECT_EQ(options.max_clients, 4u);
    EXPECT_EQ(parse({"100", "--connection-count", "7", "--max-clients", "3"}).max_clients, 3u);
}

TEST(SimOptions, PlainGraphHasNoServerLimit)
{
    auto options = parse({"1600", "--plain", "10"});
    EXPECT_EQ(options.plain_links, 10u);
    EXPECT_EQ(options.client_tunnels, 10u);
    EXPECT_EQ(options.max_clients, unlimited_clients);
    EXPECT_THROW(parse({"1600", "--plain", "10", "--max-clients", "5"}), UsageError);
    EXPECT_THROW(parse({"1600", "--plain", "10", "--connection-count", "20"}), UsageError);
}

TEST(SimOptions, LargeNetworksSampleHopSources)
{
    EXPECT_EQ(parse({"100000"}).sources, 1000u);
    EXPECT_EQ(parse({"100000", "--sources", "50"}).sources, 50u);
    EXPECT_EQ(parse({"10", "--sources", "50"}).sources, 10u);
}

TEST(SimOptions, Everything)
{
    auto options = parse({"-n", "500", "-r", "7", "--refresh-count", "3", "--kill", "0.25",
                          "--samples", "0", "--ties", "random", "--seed", "99", "--threads", "1",
                          "--progress"});
    EXPECT_EQ(options.rounds, 7u);
    EXPECT_EQ(options.refresh_count, 3u);
    EXPECT_DOUBLE_EQ(options.kill, 0.25);
    EXPECT_EQ(options.samples, 0u);
    EXPECT_EQ(options.ties, TieBreak::random);
    EXPECT_EQ(options.seed, 99u);
    EXPECT_EQ(options.threads, 1u);
    EXPECT_TRUE(options.progress);
}

TEST(SimOptions, HelpAndErrors)
{
    EXPECT_FALSE(parse_sim_options({"--help"}, 2));
    for (const auto& args : std::vector<std::vector<std::string>>{
             {},
             {"1"},
             {"-5"},
             {"100", "--kill", "1"},
             {"100", "--kill", "-0.1"},
             {"3", "--kill", "0.5"},   // one survivor
             {"100", "--ties", "newest"},
             {"100", "--connection-count", "0"},
             {"100", "--max-clients", "0"},
             {"100", "--threads", "0"},
             {"100", "--bogus"},
         })
        EXPECT_THROW(parse(args), UsageError) << (args.empty() ? "" : args.back());
}
