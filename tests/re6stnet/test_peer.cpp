// Peers parsed where they enter the daemon.
#include "re6stnet/peer.hpp"

#include "re6stnet/registry_client.hpp"

#include "peers.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using test::bits;

namespace {

const Network network(Ipv6Prefix::parse("2001:db8:42::/48"));

xmlrpc_c::value pair(const std::string& prefix, const std::string& address)
{
    return xmlrpc_c::value_array({xmlrpc_c::value_string(prefix), xmlrpc_c::value_string(address)});
}

}  // namespace

TEST(Peer, ParsedFromPrefixAndEndpoints)
{
    auto peer = parse_peer(bits(2), "10.0.0.2,1194,udp;10.0.0.2,1194,tcp", network);
    EXPECT_EQ(peer.prefix, bits(2));
    ASSERT_EQ(peer.endpoints.size(), 2u);
    EXPECT_EQ(peer.endpoints[1].transport(), Transport::tcp);
    EXPECT_EQ(peer.address(), "10.0.0.2,1194,udp;10.0.0.2,1194,tcp");
    EXPECT_TRUE(parse_peer(bits(3), "", network).endpoints.empty());   // accepts no tunnel
}

TEST(Peer, BadOnesSayWhy)
{
    struct Case {
        std::string prefix, address, error;
    };
    for (const auto& c : std::vector<Case>{
             {"01x", "10.0.0.1,1,udp", "bad prefix \"01x\""},
             {"", "10.0.0.1,1,udp", "bad prefix \"\""},
             {std::string(80, '1'), "10.0.0.1,1,udp", "bad prefix \"" + std::string(80, '1') + "\""},
             {bits(4), "nonsense", "bad endpoint \"nonsense\": expected ip,port,proto"},
         }) {
        try {
            parse_peer(c.prefix, c.address, network);
            ADD_FAILURE() << "accepted " << c.prefix << " " << c.address;
        } catch (const PeerError& error) {
            EXPECT_EQ(error.what(), c.error);
        }
    }
}

TEST(Peer, BootstrapPeerIsPrefixSpaceAddress)
{
    EXPECT_EQ(parse_bootstrap_peer(bits(2) + " 10.0.0.2,1194,udp", network),
              test::peer(2));
    EXPECT_THROW(parse_bootstrap_peer("no-space", network), PeerError);
    EXPECT_THROW(parse_bootstrap_peer("0x1 10.0.0.2,1194,udp", network), PeerError);
    EXPECT_THROW(parse_bootstrap_peer(bits(2) + " not-an-address", network), PeerError);
}

TEST(PeerList, GoodPeersKeptBadOnesReported)
{
    auto list = parse_peer_list(
        xmlrpc_c::value_array({pair(bits(2), "10.0.0.2,1194,udp"), pair("01x", "10.0.0.1,1,udp"),
                               pair(bits(4), "nonsense"), pair("", "x")}),
        network);
    EXPECT_EQ(list.peers, std::vector<Peer>{test::peer(2)});
    EXPECT_EQ(list.rejected,
              (std::vector<std::string>{"bad prefix \"01x\"",
                                        "bad endpoint \"nonsense\": expected ip,port,proto",
                                        "bad prefix \"\""}));
}

TEST(PeerList, AnswerOfTheWrongShapeIsAnError)
{
    EXPECT_ANY_THROW(parse_peer_list(xmlrpc_c::value_string("no"), network));
    EXPECT_ANY_THROW(parse_peer_list(
        xmlrpc_c::value_array({xmlrpc_c::value_array({xmlrpc_c::value_string(bits(2))})}),
        network));
}
