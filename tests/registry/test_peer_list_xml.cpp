// The hand-written getPeerList value is byte for byte what xmlrpc-c writes
// for the same values, escaping included.
#include "registry/peer_list_xml.hpp"

#include <gtest/gtest.h>
#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/xml.hpp>

#include <bitset>
#include <vector>

using namespace re6st::registry;

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string xmlrpc_c_response(const xmlrpc_c::value& value)
{
    std::string xml;
    xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(value), &xml);
    return xml;
}

// What xmlrpc-c writes for an array of [string, string] arrays.
std::string expected(const Pairs& pairs)
{
    std::vector<xmlrpc_c::value> items;
    for (const auto& [a, b] : pairs)
        items.push_back(xmlrpc_c::value_array({xmlrpc_c::value_string(a), xmlrpc_c::value_string(b)}));
    return xmlrpc_c_response(xmlrpc_c::value_array(items));
}

// The hand-written value in the response xmlrpc-c writes around a string
// placeholder, as the registry's XmlRpcProcessor does.
std::string written(const Pairs& pairs)
{
    std::string value(array_value_head());
    for (const auto& [a, b] : pairs)
        value += encode_peer_element(a, b);
    value += array_value_tail();
    auto response = xmlrpc_c_response(xmlrpc_c::value_string("PLACEHOLDER"));
    std::string placeholder = "<value><string>PLACEHOLDER</string></value>";
    auto at = response.find(placeholder);
    EXPECT_NE(at, response.npos);
    return response.replace(at, placeholder.size(), value);
}

}  // namespace

TEST(PeerListXml, EmptyList)
{
    EXPECT_EQ(written({}), expected({}));
}

TEST(PeerListXml, TypicalPeers)
{
    Pairs pairs;
    for (int i = 0; i < 200; ++i)
        pairs.emplace_back(std::bitset<16>(i).to_string(),
                           "192.0.2." + std::to_string(i) + ",1194,udp;192.0.2." + std::to_string(i)
                               + ",1194,tcp;2001:db8::" + std::to_string(i) + ",1195,udp6");
    EXPECT_EQ(written(pairs), expected(pairs));
}

TEST(PeerListXml, EscapedCharacters)
{
    Pairs pairs = {
        {"a<b>&c", "&amp; is not decoded"},
        {"quotes \" and '", "tab\tnewline\nend"},
        {"]]> and <![CDATA[", "UTF-8: \xc3\xa9\xe2\x82\xac"},
        {"", " leading and trailing spaces "},
        {"<<<>>>&&&", "&lt;"},
    };
    EXPECT_EQ(written(pairs), expected(pairs));
}

// Text that xmlrpc-c would alter (line-end conversion) or that XML forbids
// is refused rather than encoded differently.
TEST(PeerListXml, RefusesWhatXmlrpcCWouldNotPassThrough)
{
    EXPECT_THROW(encode_peer_element("a\rb", "x"), std::invalid_argument);
    EXPECT_THROW(encode_peer_element("x", "a\r\nb"), std::invalid_argument);
    EXPECT_THROW(encode_peer_element("x", std::string("a\0b", 3)), std::invalid_argument);
    EXPECT_THROW(encode_peer_element("\x01", "x"), std::invalid_argument);
    EXPECT_THROW(encode_peer_element("x", "\x1f"), std::invalid_argument);
}

// And what the encoder writes parses back to the same values.
TEST(PeerListXml, ParsesBack)
{
    Pairs pairs = {{"0000000000000001", "192.0.2.1,1194,udp"}, {"a&<>b", "tab\tx"}};
    xmlrpc_c::value result;
    xmlrpc_c::xml::parseSuccessfulResponse(written(pairs), &result);
    auto items = xmlrpc_c::value_array(result).vectorValueValue();
    ASSERT_EQ(items.size(), pairs.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto pair = xmlrpc_c::value_array(items[i]).vectorValueValue();
        ASSERT_EQ(pair.size(), 2u);
        EXPECT_EQ(std::string(xmlrpc_c::value_string(pair[0])), pairs[i].first);
        EXPECT_EQ(std::string(xmlrpc_c::value_string(pair[1])), pairs[i].second);
    }
}
