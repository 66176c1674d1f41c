// Certificate serials as `openssl x509 -serial` prints them.
#include "common/certificate_serial.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace re6st;

TEST(CertificateSerial, TextAsOpensslPrintsIt)
{
    const std::pair<std::vector<std::uint8_t>, const char*> cases[] = {
        {{}, "00"},
        {{0}, "00"},
        {{1}, "01"},
        {{0x0a, 0x1b}, "0A1B"},
        {{0, 0, 0xff}, "FF"},
        {{0x12, 0x00, 0xab}, "1200AB"},
    };
    for (const auto& [bytes, text] : cases)
        EXPECT_EQ(serial_text(bytes), text);
}

TEST(CertificateSerial, Canonical)
{
    for (auto good : {"00", "01", "0A1B", "FF", "1200AB"})
        EXPECT_TRUE(is_canonical_serial(good)) << good;
    for (auto bad : {"", "0", "A", "0a", "000A", "0001", "GG", "0A ", "-01", "0x0A"})
        EXPECT_FALSE(is_canonical_serial(bad)) << bad;
}

TEST(CertificateSerial, TypedByHand)
{
    const std::pair<const char*, const char*> cases[] = {
        {"0a1b", "0A1B"}, {"A1B", "0A1B"}, {"000a1b", "0A1B"}, {"0", "00"},
        {"0000", "00"},   {"ff", "FF"},    {"C0FFEE", "C0FFEE"},
    };
    for (const auto& [typed, canonical] : cases)
        EXPECT_EQ(canonical_serial(typed), canonical) << typed;
    for (auto bad : {"", "0x0A", "0A:1B", " 0A", "g", "-1"})
        EXPECT_FALSE(canonical_serial(bad)) << bad;
}
