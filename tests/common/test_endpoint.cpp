// The endpoint list codec "ip,port,proto;...".
#include "common/endpoint.hpp"

#include <gtest/gtest.h>

using namespace re6st;

TEST(Endpoint, ParsesTheOriginalsExample)
{
    auto endpoints = parse_endpoints("192.0.2.1,1194,udp;192.0.2.1,1194,tcp");
    ASSERT_EQ(endpoints.size(), 2u);
    EXPECT_EQ(endpoints[0], (Endpoint{"192.0.2.1", 1194, "udp"}));
    EXPECT_EQ(endpoints[1], (Endpoint{"192.0.2.1", 1194, "tcp"}));
    EXPECT_EQ(endpoints[0].transport(), Transport::udp);
    EXPECT_EQ(endpoints[1].transport(), Transport::tcp);
}

TEST(Endpoint, AcceptsEveryClientProtoOfTheAddressFamily)
{
    for (const char* proto : {"udp", "udp6", "tcp", "tcp6", "tcp-client", "tcp6-client"}) {
        auto text = std::string("2001:db8::1,65535,") + proto;
        auto endpoints = parse_endpoints(text);
        ASSERT_EQ(endpoints.size(), 1u);
        EXPECT_EQ(format_endpoints(endpoints), text);
        EXPECT_EQ(endpoints[0].family(), AddressFamily::ipv6);
    }
    for (const char* proto : {"udp", "udp4", "tcp", "tcp4", "tcp-client", "tcp4-client"}) {
        auto text = std::string("192.0.2.1,65535,") + proto;
        auto endpoints = parse_endpoints(text);
        ASSERT_EQ(endpoints.size(), 1u);
        EXPECT_EQ(format_endpoints(endpoints), text);
        EXPECT_EQ(endpoints[0].family(), AddressFamily::ipv4);
    }
}

TEST(Endpoint, Ipv6EndpointsAreWrittenPlainly)
{
    auto endpoints = parse_endpoints("2001:db8::1,1194,udp6;2001:db8::1,1194,tcp6-client;"
                                     "192.0.2.1,1194,udp");
    ASSERT_EQ(endpoints.size(), 3u);
    EXPECT_EQ(endpoints[0], (Endpoint{"2001:db8::1", 1194, "udp6"}));
    EXPECT_EQ(endpoints[0].transport(), Transport::udp6);
    EXPECT_EQ(endpoints[1].transport(), Transport::tcp6);
    EXPECT_EQ(endpoints[2].transport(), Transport::udp);
    // A proto that leaves the family open takes the address's.
    EXPECT_EQ(parse_endpoint("2001:db8::1,1194,tcp-client").transport(), Transport::tcp6);
}

TEST(Endpoint, AddressesAreNormalisedToRfc5952)
{
    struct Case { const char* given; const char* canonical; };
    for (auto c : std::vector<Case>{
             {"2001:DB8::1", "2001:db8::1"},
             {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
             {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
             {"2001:db8::0:1", "2001:db8::1"},
             {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
             {"FD00:0:0:0::A", "fd00::a"},
             {"::1", "::1"},
         }) {
        auto endpoint = parse_endpoint(std::string(c.given) + ",1194,udp6");
        EXPECT_EQ(endpoint.ip, c.canonical) << c.given;
    }
}

TEST(Endpoint, TransportsAreNamedAsInPp)
{
    EXPECT_EQ(transport_name(Transport::udp), "udp");
    EXPECT_EQ(transport_name(Transport::tcp), "tcp");
    EXPECT_EQ(transport_name(Transport::udp6), "udp6");
    EXPECT_EQ(transport_name(Transport::tcp6), "tcp6");
    EXPECT_TRUE(is_tcp(Transport::tcp6));
    EXPECT_FALSE(is_tcp(Transport::udp6));
    EXPECT_EQ(transport_family(Transport::tcp6), AddressFamily::ipv6);
    EXPECT_EQ(transport_family(Transport::udp), AddressFamily::ipv4);
}

TEST(Endpoint, BracketsMappedAddressesAndFamilyMismatchesAreRefused)
{
    struct Case { const char* text; const char* why; };
    for (auto c : std::vector<Case>{
             {"[2001:db8::1],1194,udp6", "write an IPv6 address without brackets"},
             {"[2001:db8::1]:1194,1194,udp6", "write an IPv6 address without brackets"},
             {"::ffff:192.0.2.1,1194,udp", "an IPv4-mapped IPv6 address"},
             {"2001:db8::1,1194,udp4", "the protocol is for the other address family"},
             {"2001:db8::1,1194,tcp4-client", "the protocol is for the other address family"},
             {"192.0.2.1,1194,udp6", "the protocol is for the other address family"},
             {"192.0.2.1,1194,tcp6", "the protocol is for the other address family"},
             {"2001:db8::1%eth0,1194,udp6", "not an IP address"},
         }) {
        try {
            parse_endpoint(c.text);
            ADD_FAILURE() << "accepted " << c.text;
        } catch (const EndpointError& error) {
            EXPECT_NE(std::string(error.what()).find(c.why), std::string::npos) << error.what();
        }
    }
}

TEST(Endpoint, EmptyListIsValid)
{
    EXPECT_TRUE(parse_endpoints("").empty());
    EXPECT_EQ(format_endpoints({}), "");
}

TEST(Endpoint, RoundTrip)
{
    std::vector<Endpoint> endpoints{{"10.0.0.1", 1, "udp"}, {"::1", 443, "tcp-client"}};
    EXPECT_EQ(parse_endpoints(format_endpoints(endpoints)), endpoints);
}

TEST(Endpoint, BadItemsAreNamedInTheError)
{
    struct Case { const char* text; const char* item; };
    for (auto c : std::vector<Case>{
             {"192.0.2.1,1194", "192.0.2.1,1194"},
             {"192.0.2.1,1194,udp,x", "192.0.2.1,1194,udp,x"},
             {"192.0.2.1,0,udp", "192.0.2.1,0,udp"},
             {"192.0.2.1,65536,udp", "192.0.2.1,65536,udp"},
             {"192.0.2.1,-1,udp", "192.0.2.1,-1,udp"},
             {"192.0.2.1,11 94,udp", "192.0.2.1,11 94,udp"},
             {"192.0.2.1,1194,tcp-server", "192.0.2.1,1194,tcp-server"},
             {"192.0.2.1,1194,UDP", "192.0.2.1,1194,UDP"},
             {"example.com,1194,udp", "example.com,1194,udp"},
             {"[::1],1194,udp", "[::1],1194,udp"},
             {"192.0.2.1,1194,udp;", ""},
             {";192.0.2.1,1194,udp", ""},
             {"192.0.2.1,1194,udp;bad", "bad"},
         }) {
        try {
            parse_endpoints(c.text);
            ADD_FAILURE() << "accepted " << c.text;
        } catch (const EndpointError& error) {
            EXPECT_NE(std::string(error.what()).find(std::string("\"") + c.item + "\""),
                      std::string::npos) << error.what();
        }
    }
}
