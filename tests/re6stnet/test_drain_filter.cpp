// The nftables table that silences babeld on draining taps: the commands
// it runs, and what it does when nft fails. (The network tests run it for
// real: a drained tunnel's routes move before it closes.)
#include "re6stnet/babel/drain_filter.hpp"

#include "command_recorder.hpp"

#include <gtest/gtest.h>

using namespace re6st;

namespace {

// What the failing command prints.
struct Recorder : test::CommandRecorder {
    Recorder() { failure_output = "Error: Could not process rule"; }
};

}  // namespace

TEST(DrainFilter, DropsOurBabelPacketsOutOfTheDrainingTapsOnly)
{
    Recorder nft;
    DrainFilter filter(nft.runner());
    filter.install();
    EXPECT_TRUE(filter.installed());
    filter.silence("re6stnet3");
    filter.restore("re6stnet3");
    filter.remove();
    EXPECT_EQ(nft.commands,
              (std::vector<std::string>{
                  "nft add table inet re6stnet; delete table inet re6stnet; add table inet "
                  "re6stnet { set draining { type ifname; }; chain output { type filter hook "
                  "output priority 0; policy accept; oifname @draining udp dport 6696 drop; }; }",
                  "nft add element inet re6stnet draining { \"re6stnet3\" }",
                  "nft delete element inet re6stnet draining { \"re6stnet3\" }",
                  "nft delete table inet re6stnet"}));
}

// Without nft, tunnels close without draining, and nothing else is tried.
TEST(DrainFilter, WithoutNftNothingMoreIsTried)
{
    Recorder nft;
    nft.status = 1;
    DrainFilter filter(nft.runner());
    filter.install();
    EXPECT_FALSE(filter.installed());
    filter.silence("re6stnet3");
    filter.restore("re6stnet3");
    filter.remove();
    EXPECT_EQ(nft.commands.size(), 1u);
}
