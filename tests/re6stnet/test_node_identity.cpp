// The node's identity from its certificate files, read with the openssl tool.
#include "re6stnet/node_identity.hpp"

#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace re6st;

namespace {

struct NodeIdentityTest : ::testing::Test {
    static void SetUpTestSuite()
    {
        dir = new test::TempDir;
        auto& d = *dir;
        test::openssl_rsa_key(d / "ca.key");
        test::openssl_ca(d / "ca.key", d / "ca.crt");
        test::openssl_rsa_key(d / "other-ca.key");
        test::openssl_ca(d / "other-ca.key", d / "other-ca.crt", "0x120010db80043", "/CN=other");
        for (auto [name, cn, ca] : {std::tuple{"node", "/O=Acme/CN=1\\/16", "ca"},
                                    std::tuple{"foreign", "/CN=1\\/16", "other-ca"},
                                    std::tuple{"badcn", "/CN=node-one", "ca"},
                                    std::tuple{"twocn", "/CN=1\\/16/CN=2\\/16", "ca"}}) {
            std::string n = name, c = ca;
            test::openssl_csr("rsa:2048", cn, d / (n + ".key"), d / (n + ".csr"));
            test::openssl_tool({"x509", "-req", "-in", d / (n + ".csr"), "-CA", d / (c + ".crt"),
                                "-CAkey", d / (c + ".key"), "-set_serial", "7", "-days", "2",
                                "-out", d / (n + ".crt")});
        }
    }
    static void TearDownTestSuite() { delete dir; }
    static test::TempDir* dir;
    OpenSslTool openssl{run_command};

    std::string error_of(const char* ca, const char* cert, const char* key)
    {
        try {
            NodeIdentity::load(openssl, *dir / ca, *dir / cert, *dir / key);
        } catch (const std::runtime_error& error) {
            return error.what();
        }
        return "<accepted>";
    }
};
test::TempDir* NodeIdentityTest::dir = nullptr;

}  // namespace

TEST_F(NodeIdentityTest, AddressAndSubnetFromTheFiles)
{
    auto id = NodeIdentity::load(openssl, *dir / "ca.crt", *dir / "node.crt", *dir / "node.key");
    EXPECT_EQ(id.network.prefix().to_string(), "2001:db8:42::/48");
    EXPECT_EQ(id.prefix, "0000000000000001");
    EXPECT_EQ(id.address.to_string(), "2001:db8:42:1::1");
    EXPECT_EQ(id.subnet.to_string(), "2001:db8:42:1::/64");
}

TEST_F(NodeIdentityTest, OpenSslToolReadsSerialAndCn)
{
    EXPECT_EQ(openssl.serial(*dir / "ca.crt"),
              (std::vector<std::uint8_t>{0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x42}));
    EXPECT_EQ(openssl.serial(*dir / "node.crt"), std::vector<std::uint8_t>{0x07});
    EXPECT_EQ(openssl.subject_cn(*dir / "node.crt"), "1/16");
    EXPECT_TRUE(openssl.matches_key(*dir / "node.crt", *dir / "node.key"));
    EXPECT_FALSE(openssl.matches_key(*dir / "node.crt", *dir / "foreign.key"));
    EXPECT_EQ(openssl.verify(*dir / "node.crt", *dir / "ca.crt"), "");
    EXPECT_NE(openssl.verify(*dir / "foreign.crt", *dir / "ca.crt"), "");
}

// One run of openssl reads what the separate calls read.
TEST_F(NodeIdentityTest, OpenSslToolReadsAllFieldsAtOnce)
{
    auto node = openssl.fields(*dir / "node.crt");
    EXPECT_EQ(node.serial, std::vector<std::uint8_t>{0x07});
    EXPECT_EQ(node.subject_cn, "1/16");
    EXPECT_EQ(node.dates.not_after, openssl.dates(*dir / "node.crt").not_after);
    EXPECT_EQ(node.dates.not_before, openssl.dates(*dir / "node.crt").not_before);
    EXPECT_EQ(node.public_key.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
    EXPECT_TRUE(openssl.key_matches(node.public_key, *dir / "node.key"));
    EXPECT_FALSE(openssl.key_matches(node.public_key, *dir / "foreign.key"));
    auto ca = openssl.fields(*dir / "ca.crt", false);
    EXPECT_EQ(ca.serial, openssl.serial(*dir / "ca.crt"));
    EXPECT_EQ(ca.subject_cn, "");
    EXPECT_EQ(ca.public_key.rfind(openssl.public_key(*dir / "ca.crt"), 0), 0u);
    auto id = NodeIdentity::load(openssl, *dir / "ca.crt", *dir / "node.crt", *dir / "node.key");
    EXPECT_EQ(id.ca_public_key, ca.public_key);
    EXPECT_THROW(openssl.fields(*dir / "twocn.crt"), std::runtime_error);
}

TEST_F(NodeIdentityTest, FilesThatDoNotBelongTogetherAreNamed)
{
    auto ca = *dir / "ca.crt", node = *dir / "node.crt";
    EXPECT_EQ(error_of("ca.crt", "node.crt", "foreign.key"),
              node + " does not match the key " + *dir / "foreign.key");
    EXPECT_NE(error_of("ca.crt", "foreign.crt", "foreign.key")
                  .find(*dir / "foreign.crt" + " is not valid for the CA " + ca + ": error "),
              std::string::npos);
    EXPECT_NE(error_of("ca.crt", "badcn.crt", "badcn.key").find(*dir / "badcn.crt" + ": "),
              std::string::npos);
    EXPECT_EQ(error_of("ca.crt", "twocn.crt", "twocn.key"),
              *dir / "twocn.crt" + ": the subject has 2 common names, not one");
    EXPECT_NE(error_of("ca.crt", "missing.crt", "node.key").find(*dir / "missing.crt" + ": "),
              std::string::npos);
    EXPECT_NE(error_of("node.crt", "node.crt", "node.key").find("is not valid for the CA"),
              std::string::npos);
}
