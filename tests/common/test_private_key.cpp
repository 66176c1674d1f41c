// Private keys: generation, PEM both ways with the openssl tool, refusals.
#include "common/private_key.hpp"

#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::test;

TEST(PrivateKey, GeneratesRsaKeyOfRequestedSize)
{
    auto key = PrivateKey::generate_rsa(2048);
    EXPECT_TRUE(key.is_rsa());
    EXPECT_EQ(key.bits(), 2048);
    EXPECT_EQ(PrivateKey::generate_rsa().bits(), 2048);
}

TEST(PrivateKey, RefusesImpossibleSize)
{
    EXPECT_THROW(PrivateKey::generate_rsa(16), CryptoError);
}

TEST(PrivateKey, PemIsPkcs8AndOpensslAcceptsIt)
{
    TempDir dir;
    auto key = PrivateKey::generate_rsa();
    std::string pem = key.to_pem();
    EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << pem;
    dir.write("key.pem", pem);

    EXPECT_NE(openssl_tool({"pkey", "-in", dir / "key.pem", "-check", "-noout"}).find("valid"),
              std::string::npos);
    openssl_tool({"pkey", "-in", dir / "key.pem", "-pubout", "-out", dir / "pub.pem"});
    EXPECT_EQ(dir.read("pub.pem"), key.public_pem());

    auto again = PrivateKey::from_pem(pem);
    EXPECT_EQ(again.public_pem(), key.public_pem());
    EXPECT_EQ(again.to_pem(), pem);
}

TEST(PrivateKey, CopiesShareTheKey)
{
    auto key = PrivateKey::generate_rsa();
    PrivateKey copy = key;
    EXPECT_EQ(copy.get(), key.get());
    EXPECT_EQ(copy.public_pem(), key.public_pem());
}

TEST(PrivateKey, SignsAsOpensslDgstDoes)
{
    TempDir dir;
    openssl_rsa_key(dir / "key.pem");
    auto key = PrivateKey::load(dir / "key.pem");
    dir.write("pub.pem", key.public_pem());
    auto data = dir.write("data", std::string("some bytes\n\0and more", 21));

    // RSA PKCS#1 v1.5 is deterministic: the same bytes as the tool's.
    openssl_tool({"dgst", "-sha256", "-sign", dir / "key.pem", "-out", dir / "tool.sig", data});
    auto signature = key.sign_sha256(dir.read("data"));
    EXPECT_EQ(signature, dir.read("tool.sig"));
    EXPECT_EQ(signature.size(), 256u);

    auto sig = dir.write("sig", signature);
    EXPECT_EQ(run_openssl({"dgst", "-sha256", "-verify", dir / "pub.pem", "-signature", sig, data})
                  .exit_status,
              0);
    dir.write("data", "other bytes");
    EXPECT_NE(run_openssl({"dgst", "-sha256", "-verify", dir / "pub.pem", "-signature", sig, data})
                  .exit_status,
              0);
}

TEST(PrivateKey, LoadsKeysWrittenByOpenssl)
{
    struct Case {
        const char* name;
        std::vector<std::string> genpkey;   // extra arguments of openssl genpkey
        std::vector<std::string> convert;   // openssl pkey/rsa re-encoding, if any
        bool rsa;
        int bits;
    };
    const Case cases[] = {
        {"pkcs8 rsa", {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}, {}, true, 2048},
        {"traditional rsa", {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"},
         {"rsa", "-traditional"}, true, 2048},
        {"ec p-256", {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"}, {}, false, 256},
    };
    TempDir dir;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        std::vector<std::string> generate{"genpkey", "-out", dir / "generated.pem"};
        generate.insert(generate.end(), c.genpkey.begin(), c.genpkey.end());
        openssl_tool(generate);
        std::string file = dir / "generated.pem";
        if (!c.convert.empty()) {
            std::vector<std::string> convert = c.convert;
            convert.insert(convert.end(), {"-in", file, "-out", dir / "converted.pem"});
            openssl_tool(convert);
            file = dir / "converted.pem";
            EXPECT_NE(dir.read("converted.pem").find("BEGIN RSA PRIVATE KEY"), std::string::npos);
        }
        auto key = PrivateKey::load(file);
        EXPECT_EQ(key.is_rsa(), c.rsa);
        EXPECT_EQ(key.bits(), c.bits);
        openssl_tool({"pkey", "-in", file, "-pubout", "-out", dir / "pub.pem"});
        EXPECT_EQ(key.public_pem(), dir.read("pub.pem"));
    }
}

TEST(PrivateKey, RefusesEncryptedKeyWithoutPrompting)
{
    TempDir dir;
    openssl_tool({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-aes-256-cbc",
             "-pass", "pass:secret", "-out", dir / "encrypted.pem"});
    try {
        PrivateKey::load(dir / "encrypted.pem");
        FAIL() << "an encrypted key was loaded";
    } catch (const CryptoError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find(dir / "encrypted.pem"), std::string::npos) << message;
        EXPECT_NE(message.find("encrypted private keys are not supported"), std::string::npos)
            << message;
    }
}

TEST(PrivateKey, RefusesTextWithoutKey)
{
    auto certificate_only = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    for (const char* pem : {"", "garbage", certificate_only,
                            "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"})
        EXPECT_THROW(PrivateKey::from_pem(pem), CryptoError) << pem;
}
