// Addressing of SPEC A.2: network from the CA serial, node prefix from the CN.
#include "common/prefix.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace re6st;

TEST(Ipv6Address, ParsesAndPrintsCanonicalForm)
{
    EXPECT_EQ(Ipv6Address::parse("2001:0db8:0042:0000::0001").to_string(), "2001:db8:42::1");
    EXPECT_EQ(Ipv6Address::parse("::").to_string(), "::");
    EXPECT_EQ(Ipv6Address::parse("::ffff:192.0.2.1").to_string(), "::ffff:192.0.2.1");
}

TEST(Ipv6Address, RejectsMalformedText)
{
    for (const char* text : {"", "2001:db8::g", "1.2.3.4", "2001:db8:::1", "[::1]",
                             "::1 ", "fe80::1%eth0"})
        EXPECT_THROW(Ipv6Address::parse(text), AddressError) << text;
    EXPECT_FALSE(Ipv6Address::try_parse(std::string_view("::1\0", 4)));
}

TEST(Ipv6Address, Bits)
{
    auto address = Ipv6Address::parse("8000::1");
    EXPECT_TRUE(address.bit(0));
    EXPECT_FALSE(address.bit(1));
    EXPECT_TRUE(address.bit(127));
    address.set_bit(0, false);
    address.set_bit(64, true);
    EXPECT_EQ(address.to_string(), "::8000:0:0:1");
}

TEST(Ipv6Prefix, ParseMasksAndFormats)
{
    auto prefix = Ipv6Prefix::parse("2001:db8:42::/48");
    EXPECT_EQ(prefix.length(), 48u);
    EXPECT_EQ(prefix.to_string(), "2001:db8:42::/48");
    EXPECT_EQ(Ipv6Prefix(Ipv6Address::parse("2001:db8:42:1::1"), 64).to_string(),
              "2001:db8:42:1::/64");
    for (const char* text : {"2001:db8::", "2001:db8::/129", "2001:db8::/", "2001:db8::/x",
                             "2001:db8::1/64", "2001:db8::/-1", "zz/8"})
        EXPECT_THROW(Ipv6Prefix::parse(text), AddressError) << text;
}

TEST(Ipv6Prefix, Membership)
{
    auto network = Ipv6Prefix::parse("2001:db8:42::/48");
    EXPECT_TRUE(network.contains(Ipv6Address::parse("2001:db8:42:1::1")));
    EXPECT_TRUE(network.contains(Ipv6Address::parse("2001:db8:42:ffff:ffff:ffff:ffff:ffff")));
    EXPECT_FALSE(network.contains(Ipv6Address::parse("2001:db8:43::1")));
    EXPECT_FALSE(network.contains(Ipv6Address::parse("::1")));
    EXPECT_TRUE(network.contains(Ipv6Prefix::parse("2001:db8:42:1::/64")));
    EXPECT_TRUE(network.contains(network));
    EXPECT_FALSE(network.contains(Ipv6Prefix::parse("2001:db8::/32")));
    EXPECT_TRUE(Ipv6Prefix::parse("::/0").contains(Ipv6Address::parse("fe80::1")));
    // A /45 is not byte aligned: 2001:db8:40::/45 covers 40..47 in the third group.
    auto odd = Ipv6Prefix::parse("2001:db8:40::/45");
    EXPECT_TRUE(odd.contains(Ipv6Address::parse("2001:db8:47::1")));
    EXPECT_FALSE(odd.contains(Ipv6Address::parse("2001:db8:48::1")));
}

TEST(BitString, RoundTripsThroughIpv6)
{
    struct Case { const char* bits; const char* prefix; };
    for (auto c : std::vector<Case>{
             {"", "::/0"},
             {"1", "8000::/1"},
             {"0010000000000001", "2001::/16"},
             {"001000000000000100001101101110000000000001000010", "2001:db8:42::/48"},
             {"0010000000000001000011011011100000000000010000", "2001:db8:40::/46"},
         }) {
        auto prefix = prefix_from_bits(c.bits);
        EXPECT_EQ(prefix.to_string(), c.prefix) << c.bits;
        EXPECT_EQ(bits_of(prefix), c.bits);
        EXPECT_EQ(bits_of(Ipv6Prefix::parse(c.prefix)), c.bits);
    }
    EXPECT_EQ(bits_of(Ipv6Address::parse("2001:db8:42:1::1"), 48, 16), "0000000000000001");
    EXPECT_THROW(bits_of(Ipv6Address(), 120, 9), AddressError);
}

TEST(BitString, RejectsNonBits)
{
    EXPECT_TRUE(is_bit_string(""));
    EXPECT_TRUE(is_bit_string(std::string(128, '1')));
    EXPECT_FALSE(is_bit_string(std::string(129, '1')));
    EXPECT_FALSE(is_bit_string("0120"));
    EXPECT_THROW(prefix_from_bits("01 1"), AddressError);
}

TEST(NodeCn, DecodesAndEncodes)
{
    struct Case { std::string cn, bits; };
    for (const auto& c : std::vector<Case>{
             {"1/16", "0000000000000001"},
             {"0/16", "0000000000000000"},
             {"65535/16", "1111111111111111"},
             {"5/13", "0000000000101"},
             {"1/1", "1"},
             {"18446744073709551615/64", std::string(64, '1')},
         }) {
        EXPECT_EQ(bits_from_cn(c.cn), c.bits) << c.cn;
        EXPECT_EQ(cn_from_bits(c.bits), c.cn) << c.bits;
    }
    // More than 64 bits: the 2^64 + 1 prefix of 80 bits.
    std::string bits(80, '0');
    bits[15] = '1';
    bits[79] = '1';
    EXPECT_EQ(cn_from_bits(bits), "18446744073709551617/80");
    EXPECT_EQ(bits_from_cn("18446744073709551617/80"), bits);
}

TEST(NodeCn, RejectsMalformed)
{
    for (const char* cn : {"", "1", "/16", "1/", "1/0", "1/128", "65536/16", "-1/16",
                           "+1/16", "0x1/16", "1/16/2", "1 /16", "1/16 ", "a/16",
                           "999999999999999999999999999999999999999999/127"})
        EXPECT_THROW(bits_from_cn(cn), AddressError) << cn;
    EXPECT_THROW(cn_from_bits(""), AddressError);
    EXPECT_THROW(cn_from_bits("012"), AddressError);
}

TEST(Serial, FromHex)
{
    using Bytes = std::vector<std::uint8_t>;
    EXPECT_EQ(serial_from_hex("0120010DB80042"), (Bytes{0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x42}));
    EXPECT_EQ(serial_from_hex("120010db80042"), (Bytes{0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x42}));
    EXPECT_EQ(serial_from_hex("0"), Bytes{0x00});
    EXPECT_EQ(serial_from_hex("fF"), Bytes{0xff});
    for (const char* text : {"", "0x12", "12 ", "1g", "-1"})
        EXPECT_THROW(serial_from_hex(text), AddressError) << text;
}

TEST(Network, FromCaSerial)
{
    struct Case { const char* serial; const char* network; };
    for (auto c : std::vector<Case>{
             {"120010db80042", "2001:db8:42::/48"},
             {"0120010db80042", "2001:db8:42::/48"},   // leading zero byte
             {"240021b70000", "2001:db8::/45"},        // 1 + 45 bits
             {"1", "::/0"},
             {"3", "8000::/1"},
         }) {
        auto network = Network::from_ca_serial(serial_from_hex(c.serial));
        EXPECT_EQ(network.prefix().to_string(), c.network) << c.serial;
    }
    EXPECT_THROW(Network::from_ca_serial(serial_from_hex("00")), AddressError);
    EXPECT_THROW(Network::from_ca_serial({}), AddressError);
    EXPECT_THROW(Network::from_ca_serial(std::vector<std::uint8_t>(17, 0xff)), AddressError);
}

TEST(Network, NodeAddressAndSubnet)
{
    struct Case { const char* network; const char* cn; const char* address; const char* subnet; };
    for (auto c : std::vector<Case>{
             {"2001:db8:42::/48", "1/16", "2001:db8:42:1::1", "2001:db8:42:1::/64"},
             {"2001:db8:42::/48", "65535/16", "2001:db8:42:ffff::1", "2001:db8:42:ffff::/64"},
             {"2001:db8::/45", "5/13", "2001:db8:0:140::1", "2001:db8:0:140::/58"},
             {"2001:db8:40::/45", "1/16", "2001:db8:40:8::1", "2001:db8:40:8::/61"},
         }) {
        Network network(Ipv6Prefix::parse(c.network));
        auto bits = bits_from_cn(c.cn);
        EXPECT_EQ(network.node_address(bits).to_string(), c.address) << c.cn;
        EXPECT_EQ(network.node_subnet(bits).to_string(), c.subnet) << c.cn;
        EXPECT_TRUE(network.contains(network.node_address(bits)));
        EXPECT_EQ(network.node_bits_of(network.node_subnet(bits)), bits);
    }
}

TEST(Network, NodeBitsOfRejectsForeignPrefixes)
{
    Network network(Ipv6Prefix::parse("2001:db8:42::/48"));
    EXPECT_FALSE(network.node_bits_of(Ipv6Prefix::parse("2001:db8:43::/64")));
    EXPECT_FALSE(network.node_bits_of(Ipv6Prefix::parse("2001:db8:42::/48")));
    EXPECT_FALSE(network.node_bits_of(Ipv6Prefix::parse("2001:db8::/32")));
    EXPECT_FALSE(network.node_bits_of(Ipv6Prefix::parse("2001:db8:42::1/128")));
}

TEST(Network, RejectsNodePrefixesThatDoNotFit)
{
    Network network(Ipv6Prefix::parse("2001:db8:42::/48"));
    EXPECT_EQ(network.max_node_bits(), 79u);
    EXPECT_NO_THROW(network.node_address(std::string(79, '1')));
    EXPECT_THROW(network.node_address(std::string(80, '0')), AddressError);
    EXPECT_THROW(network.node_address(""), AddressError);
    EXPECT_THROW(network.node_address("01x"), AddressError);
    EXPECT_THROW(Network(Ipv6Prefix::parse("2001:db8::1/127")), AddressError);
}

TEST(Network, WhatIsANodePrefix)
{
    Network network(Ipv6Prefix::parse("2001:db8:42::/48"));
    EXPECT_TRUE(network.is_node_prefix("0000000000000001"));
    EXPECT_TRUE(network.is_node_prefix("1"));
    EXPECT_TRUE(network.is_node_prefix(std::string(79, '1')));
    EXPECT_FALSE(network.is_node_prefix(std::string(80, '1')));   // no room for the final 1
    EXPECT_FALSE(network.is_node_prefix(""));
    EXPECT_FALSE(network.is_node_prefix("01x"));
}
