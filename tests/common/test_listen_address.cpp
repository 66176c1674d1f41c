// ADDRESS:PORT as --metrics takes it.
#include "common/listen_address.hpp"

#include <gtest/gtest.h>

using namespace re6st;

TEST(ListenAddress, Parsed)
{
    struct Case {
        const char* text;
        const char* address;
        unsigned short port;
    };
    for (auto [text, address, port] : {
             Case{"127.0.0.1:9097", "127.0.0.1", 9097},
             Case{"0.0.0.0:0", "0.0.0.0", 0},
             Case{"[::1]:9097", "::1", 9097},
             Case{"[::]:65535", "::", 65535},
             Case{"[2001:db8:42::1]:80", "2001:db8:42::1", 80},
             Case{"[fe80::1%lo]:9097", "fe80::1%lo", 9097},
         }) {
        auto endpoint = parse_listen_address(text);
        EXPECT_EQ(endpoint.address().to_string(), address) << text;
        EXPECT_EQ(endpoint.port(), port) << text;
        EXPECT_EQ(format_listen_address(endpoint), text);
    }
}

TEST(ListenAddress, Refused)
{
    for (const char* text : {"", "9097", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
                             "127.0.0.1:-1", "127.0.0.1:90x", "localhost:9097", "::1:9097",
                             "[127.0.0.1]:9097", "[::1]", "[::1:9097", "[nonsense]:1",
                             ":9097"}) {
        try {
            parse_listen_address(text);
            ADD_FAILURE() << "accepted \"" << text << "\"";
        } catch (const ListenAddressError& error) {
            // The message quotes the text.
            EXPECT_NE(std::string(error.what()).find(std::string("\"") + text + "\""),
                      std::string::npos)
                << error.what();
        }
    }
}

TEST(ListenAddress, ReasonSaysWhatIsWrong)
{
    struct Case {
        const char* text;
        const char* reason;
    };
    for (auto [text, reason] : {
             Case{"127.0.0.1", "expected ADDRESS:PORT"},
             Case{"[::1]", "expected [ADDRESS]:PORT"},
             Case{"::1:9097", "write an IPv6 address in brackets: [ADDRESS]:PORT"},
             Case{"127.0.0.1:99999", "the port must be a number from 0 to 65535"},
             Case{"localhost:9097", "not an IPv4 address (an IPv6 one goes in brackets)"},
             Case{"[127.0.0.1]:9097", "not an IPv6 address in the brackets"},
         }) {
        try {
            parse_listen_address(text);
            ADD_FAILURE() << "accepted \"" << text << "\"";
        } catch (const ListenAddressError& error) {
            EXPECT_EQ(error.reason(), reason) << text;
        }
    }
}
