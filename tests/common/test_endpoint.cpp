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

TEST(Endpoint, AcceptsIpv6AndEveryClientProto)
{
    for (const char* proto : {"udp", "udp4", "udp6", "tcp", "tcp4", "tcp6", "tcp-client",
                              "tcp4-client", "tcp6-client"}) {
        auto text = std::string("2001:db8::1,65535,") + proto;
        auto endpoints = parse_endpoints(text);
        ASSERT_EQ(endpoints.size(), 1u);
        EXPECT_EQ(format_endpoints(endpoints), text);
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
