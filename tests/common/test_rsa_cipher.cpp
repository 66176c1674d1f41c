// RSA PKCS#1 v1.5 both ways with `openssl pkeyutl`, as the registry's
// getBootstrapPeer answer travels (SPEC A.3).
#include "common/rsa_cipher.hpp"

#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::test;
using namespace std::string_literals;

namespace {

// A node key made by the library and a self-signed certificate for it made
// by the openssl tool.
class RsaCipherTest : public testing::Test {
protected:
    void SetUp() override
    {
        dir.write("key.pem", key.to_pem());
        openssl_ca(dir / "key.pem", dir / "cert.pem", "1", "/CN=1\\/16");
    }

    TempDir dir;
    PrivateKey key = PrivateKey::generate_rsa();
};

// Messages up to the PKCS#1 v1.5 limit of a 2048-bit key: 256 - 11 bytes.
const std::string messages[] = {
    "0000000000000001 10.0.0.1,1194,udp;10.0.0.1,1194,tcp-client",
    "x",
    "binary \0\xff\x01 bytes"s,
    std::string(245, 'm'),
};

}  // namespace

TEST_F(RsaCipherTest, DecryptsWhatOpensslEncrypted)
{
    for (const auto& message : messages) {
        SCOPED_TRACE(message.size());
        dir.write("message", message);
        openssl_tool({"pkeyutl", "-encrypt", "-certin", "-inkey", dir / "cert.pem", "-pkeyopt",
                 "rsa_padding_mode:pkcs1", "-in", dir / "message", "-out", dir / "message.enc"});
        EXPECT_EQ(rsa_decrypt(key, dir.read("message.enc")), message);
    }
}

TEST_F(RsaCipherTest, OpensslDecryptsWhatWasEncrypted)
{
    auto certificate = Certificate::load(dir / "cert.pem");
    for (const auto& message : messages) {
        SCOPED_TRACE(message.size());
        std::string ciphertext = rsa_encrypt(certificate, message);
        EXPECT_EQ(ciphertext.size(), 256u);
        dir.write("message.enc", ciphertext);
        openssl_tool({"pkeyutl", "-decrypt", "-inkey", dir / "key.pem", "-in", dir / "message.enc",
                 "-out", dir / "message"});
        EXPECT_EQ(dir.read("message"), message);
    }
}

TEST_F(RsaCipherTest, PaddingIsRandom)
{
    auto certificate = Certificate::load(dir / "cert.pem");
    EXPECT_NE(rsa_encrypt(certificate, "same"), rsa_encrypt(certificate, "same"));
}

TEST_F(RsaCipherTest, RefusesTooLongMessage)
{
    auto certificate = Certificate::load(dir / "cert.pem");
    EXPECT_THROW(rsa_encrypt(certificate, std::string(246, 'm')), CryptoError);
}

TEST_F(RsaCipherTest, OtherKeyCannotRead)
{
    auto ciphertext = rsa_encrypt(Certificate::load(dir / "cert.pem"), "secret peer");
    auto other = PrivateKey::generate_rsa();
    // OpenSSL may report the padding error or, with implicit rejection, return
    // random bytes; either way the message stays hidden.
    try {
        EXPECT_NE(rsa_decrypt(other, ciphertext), "secret peer");
    } catch (const CryptoError&) {
    }
    EXPECT_THROW(rsa_decrypt(key, "short"), CryptoError);
}

TEST_F(RsaCipherTest, RefusesNonRsaKeys)
{
    openssl_tool({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
             dir / "ec.key"});
    openssl_ca(dir / "ec.key", dir / "ec.crt", "1", "/CN=ec");
    EXPECT_THROW(rsa_encrypt(Certificate::load(dir / "ec.crt"), "x"), CryptoError);
    EXPECT_THROW(rsa_decrypt(PrivateKey::load(dir / "ec.key"), std::string(64, 'x')), CryptoError);
}
