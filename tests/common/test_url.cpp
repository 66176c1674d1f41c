// The registry's http URLs: parsing, formatting and their error messages.
#include "common/url.hpp"

#include <gtest/gtest.h>

using namespace re6st;

TEST(Url, ParsesHostPortAndPath)
{
    struct Case {
        const char* text;
        Url url;
        const char* formatted;
    };
    const Case cases[] = {
        {"http://192.0.2.42:80", {"192.0.2.42", 80, "/"}, "http://192.0.2.42:80/"},
        {"http://192.0.2.42", {"192.0.2.42", 80, "/"}, "http://192.0.2.42:80/"},
        {"http://registry.example.com:9080/", {"registry.example.com", 9080, "/"},
         "http://registry.example.com:9080/"},
        {"http://[2001:db8::1]:9080/", {"2001:db8::1", 9080, "/"}, "http://[2001:db8::1]:9080/"},
        {"http://[2001:db8:42:1::1]", {"2001:db8:42:1::1", 80, "/"},
         "http://[2001:db8:42:1::1]:80/"},
        {"HTTP://[::1]:65535/RPC2", {"::1", 65535, "/RPC2"}, "http://[::1]:65535/RPC2"},
        {"http://h:1/a/b?c=d", {"h", 1, "/a/b?c=d"}, "http://h:1/a/b?c=d"},
    };
    for (const auto& c : cases) {
        auto url = Url::parse(c.text);
        EXPECT_EQ(url, c.url) << c.text;
        EXPECT_EQ(url.to_string(), c.formatted) << c.text;
        EXPECT_EQ(Url::parse(url.to_string()), url) << c.text;
    }
}

TEST(Url, HostPortBracketsIpv6)
{
    EXPECT_EQ(Url::parse("http://[2001:db8::1]:9080/").host_port(), "[2001:db8::1]:9080");
    EXPECT_EQ(Url::parse("http://10.0.0.1/").host_port(), "10.0.0.1:80");
    EXPECT_TRUE(Url::parse("http://[::1]/").host_is_ipv6());
    EXPECT_FALSE(Url::parse("http://localhost/").host_is_ipv6());
}

TEST(Url, ErrorsQuoteTheUrlAndSayWhy)
{
    const std::pair<const char*, const char*> cases[] = {
        {"https://192.0.2.1/", "bad URL \"https://192.0.2.1/\": https is not supported, only http"},
        {"ftp://h/", "bad URL \"ftp://h/\": unsupported scheme \"ftp\", only http"},
        {"192.0.2.1:80", "bad URL \"192.0.2.1:80\": expected http://HOST[:PORT][/PATH]"},
        {"http://", "bad URL \"http://\": no host"},
        {"http://:80/", "bad URL \"http://:80/\": no host"},
        {"http://2001:db8::1/", "bad URL \"http://2001:db8::1/\": an IPv6 address must be in brackets"},
        {"http://[2001:db8::1/", "bad URL \"http://[2001:db8::1/\": missing ']' after the IPv6 address"},
        {"http://[192.0.2.1]/", "bad URL \"http://[192.0.2.1]/\": invalid IPv6 address \"192.0.2.1\""},
        {"http://[::1]x/", "bad URL \"http://[::1]x/\": unexpected text after ']'"},
        {"http://h:0/", "bad URL \"http://h:0/\": invalid port \"0\""},
        {"http://h:65536/", "bad URL \"http://h:65536/\": invalid port \"65536\""},
        {"http://h:/", "bad URL \"http://h:/\": invalid port \"\""},
        {"http://h:8x/", "bad URL \"http://h:8x/\": invalid port \"8x\""},
        {"http://u@h/", "bad URL \"http://u@h/\": user information is not supported"},
        {"http://h?x", "bad URL \"http://h?x\": a query or fragment needs a path before it"},
        {"http://h o/", "bad URL \"http://h o/\": contains whitespace or control characters"},
        {"http://h$/", "bad URL \"http://h$/\": invalid host \"h$\""},
    };
    for (const auto& [text, message] : cases) {
        try {
            Url::parse(text);
            ADD_FAILURE() << text << " was accepted";
        } catch (const UrlError& error) {
            EXPECT_STREQ(error.what(), message);
        }
    }
}

TEST(Url, FromHostAndPortAsOnTheCommandLine)
{
    EXPECT_EQ(Url::from_host_port("2001:db8::1", 9080).to_string(), "http://[2001:db8::1]:9080/");
    EXPECT_EQ(Url::from_host_port("[2001:db8::1]", 9080).to_string(), "http://[2001:db8::1]:9080/");
    EXPECT_EQ(Url::from_host_port("192.0.2.1", 80).to_string(), "http://192.0.2.1:80/");
    EXPECT_EQ(Url::from_host_port("registry", 1).to_string(), "http://registry:1/");
    EXPECT_THROW(Url::from_host_port("", 80), UrlError);
    EXPECT_THROW(Url::from_host_port("h", 0), UrlError);
    EXPECT_THROW(Url::from_host_port("[h]", 80), UrlError);
    EXPECT_THROW(Url::from_host_port("h:80", 80), UrlError);
    EXPECT_THROW(Url::from_host_port("2001:db8::g", 80), UrlError);
}
