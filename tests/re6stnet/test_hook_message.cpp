// The hook scripts' reports.
#include "re6stnet/openvpn/hook_message.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using Event = HookMessage::Event;

TEST(HookMessage, ParsesEachEvent)
{
    struct Case { const char* text; Event event; const char* argument; };
    for (auto c : std::vector<Case>{
             {"client-connect 1/16\n", Event::client_connect, "1/16"},
             {"client-disconnect 65535/16\n", Event::client_disconnect, "65535/16"},
             {"route-up 192.0.2.7\n", Event::route_up, "192.0.2.7"},
             {"route-up 2001:db8::7\n", Event::route_up, "2001:db8::7"},
             {"route-up 192.0.2.7", Event::route_up, "192.0.2.7"},   // newline optional
         }) {
        EXPECT_EQ(parse_hook_message(c.text), (HookMessage{c.event, c.argument})) << c.text;
    }
}

// The peer's certificate serial, in decimal, follows on the events that
// come after its handshake.
TEST(HookMessage, CarriesThePeersSerial)
{
    EXPECT_EQ(parse_hook_message("client-connect 3/16 1234567890123456789012345678901234\n"),
              (HookMessage{Event::client_connect, "3/16", "1234567890123456789012345678901234"}));
    EXPECT_EQ(parse_hook_message("route-up 192.0.2.7 11\n"),
              (HookMessage{Event::route_up, "192.0.2.7", "11"}));
    for (const char* text : {"route-up 192.0.2.7 0x1F", "route-up 192.0.2.7 ", "route-up 192.0.2.7 1 2",
                             "client-connect 3/16 -1", "client-disconnect 3/16 11"})
        EXPECT_THROW(parse_hook_message(text), HookMessageError) << text;
}

TEST(HookMessage, RejectsAnythingElse)
{
    for (const char* text : {"", "\n", "route-up", "route-up \n", "route-up  1.2.3.4",
                             "route-up 1.2.3.4 extra", "route-up example.com",
                             "route-up 1.2.3.4  11",
                             "client-connect ulm", "client-connect 1/0",
                             "client-connect 70000/16", "up re6stnet0", "ROUTE-UP 1.2.3.4",
                             "route-up 1.2.3.4\n\n"})
        EXPECT_THROW(parse_hook_message(text), HookMessageError) << text;
    EXPECT_THROW(parse_hook_message(std::string_view("route-up 1.2.3.4\0x", 18)),
                 HookMessageError);
}

TEST(HookMessage, ErrorQuotesThePrintableMessage)
{
    try {
        parse_hook_message("bogus\x01 x");
        FAIL();
    } catch (const HookMessageError& error) {
        EXPECT_STREQ(error.what(), "bad hook message \"bogus? x\": unknown event");
    }
}
