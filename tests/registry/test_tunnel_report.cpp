// reportTunnels' argument: CNs separated by spaces, bounded.
#include "registry/tunnel_report.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::registry;

namespace {

const Network network(Ipv6Prefix::parse("2001:db8:42::/48"));
const std::string own = bits_from_cn("9/16");

std::string parsed(std::string_view peers)
{
    return format_tunnel_report(parse_tunnel_report(peers, network, own));
}

std::string refusal(std::string_view peers)
{
    try {
        parse_tunnel_report(peers, network, own);
    } catch (const TunnelReportError& error) {
        return error.what();
    }
    return "accepted";
}

}  // namespace

TEST(TunnelReport, SortedWithoutDuplicates)
{
    const std::pair<std::string, std::string> cases[] = {
        {"", ""},
        {"   ", ""},
        {"1/16", "1/16"},
        {"2/16 1/16", "1/16 2/16"},
        {" 3/16  1/16 3/16 ", "1/16 3/16"},
        {"1/16 48/20", "1/16 48/20"},
    };
    for (const auto& [peers, expected] : cases)
        EXPECT_EQ(parsed(peers), expected) << "\"" << peers << "\"";
}

TEST(TunnelReport, ABadEntryRefusesTheWholeReport)
{
    EXPECT_TRUE(refusal("1/16 x/16").starts_with("\"x/16\": ")) << refusal("1/16 x/16");
    EXPECT_TRUE(refusal("1/16,2/16").starts_with("\"1/16,2/16\": ")) << refusal("1/16,2/16");
    EXPECT_EQ(refusal("1/80"), "\"1/80\" is no node prefix of 2001:db8:42::/48");
    EXPECT_EQ(refusal("1/16 9/16"), "\"9/16\" is the caller itself");
    EXPECT_NE(refusal("1/16\t2/16"), "accepted");
}

TEST(TunnelReport, Bounded)
{
    std::string many;
    for (std::size_t i = 0; i < max_tunnel_report_entries; ++i)
        many += std::to_string(i + 10) + "/16 ";
    EXPECT_EQ(parse_tunnel_report(many, network, own).size(), max_tunnel_report_entries);
    EXPECT_EQ(refusal(many + "5/16"), "the report names more than 1000 peers");
    std::string long_report(max_tunnel_report_bytes + 1, ' ');
    EXPECT_EQ(refusal(long_report), "the report is 49153 bytes long, over 49152");
}
