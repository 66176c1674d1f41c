// CSRs both ways with `openssl req`, and the checks the registry relies on:
// signature, key type, key size.
#include "common/certificate_request.hpp"
#include "common/certificate.hpp"

#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <algorithm>

using namespace re6st;
using namespace re6st::test;

TEST(CertificateRequest, CreatedOneVerifiesWithOpenssl)
{
    TempDir dir;
    auto key = PrivateKey::generate_rsa();
    auto csr = CertificateRequest::create(
        key, {{"C", "FR"}, {"O", "Acme Ünïcode"}, {"OU", "Lab"}, {"CN", "node"}});
    EXPECT_TRUE(csr.signature_valid());
    EXPECT_TRUE(csr.key_is_rsa());
    EXPECT_EQ(csr.key_bits(), 2048);
    std::string pem = csr.to_pem();
    EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE REQUEST-----\n", 0), 0u) << pem;

    dir.write("node.csr", pem);
    std::string checked = openssl_tool({"req", "-in", dir / "node.csr", "-verify", "-noout", "-text",
                                   "-nameopt", "utf8"});
    EXPECT_NE(checked.find("self-signature verify OK"), std::string::npos) << checked;
    EXPECT_NE(checked.find("Subject: C=FR, O=Acme Ünïcode, OU=Lab, CN=node"),
              std::string::npos) << checked;
    EXPECT_NE(checked.find("sha256WithRSAEncryption"), std::string::npos) << checked;
    openssl_tool({"req", "-in", dir / "node.csr", "-pubkey", "-noout", "-out", dir / "pub.pem"});
    EXPECT_EQ(dir.read("pub.pem"), key.public_pem());

    EXPECT_EQ(CertificateRequest::from_pem(pem).to_pem(), pem);
}

TEST(CertificateRequest, RefusesUnknownSubjectField)
{
    auto key = PrivateKey::generate_rsa();
    try {
        CertificateRequest::create(key, {{"NOPE", "x"}});
        FAIL() << "no error";
    } catch (const CryptoError& error) {
        EXPECT_NE(std::string(error.what()).find("NOPE=\"x\""), std::string::npos)
            << error.what();
    }
}

TEST(CertificateRequest, ReadsWhatOpensslReqMade)
{
    struct Case {
        const char* name;
        const char* newkey;   // openssl req -newkey
        bool rsa;
        int bits;
    };
    const Case cases[] = {
        {"rsa 2048", "rsa:2048", true, 2048},
        {"rsa 1024", "rsa:1024", true, 1024},
        {"ec p-256", "ec:", false, 256},
    };
    TempDir dir;
    openssl_tool({"genpkey", "-genparam", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-out", dir / "ec.param"});
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        std::string newkey = c.newkey;
        if (newkey == "ec:")
            newkey += dir / "ec.param";
        openssl_csr(newkey, "/O=Acme/CN=node", dir / "key.pem", dir / "req.pem");
        auto csr = CertificateRequest::from_pem(dir.read("req.pem"));
        EXPECT_TRUE(csr.signature_valid());
        EXPECT_EQ(csr.key_is_rsa(), c.rsa);
        EXPECT_EQ(csr.key_bits(), c.bits);
    }
}

TEST(CertificateRequest, DetectsTamperedSignature)
{
    TempDir dir;
    openssl_csr("rsa:2048", "/CN=node", dir / "key.pem", dir / "req.pem");
    tamper_csr_signature(dir / "req.pem", dir / "tampered.pem");

    // openssl req -verify reports a bad signature but exits with 0.
    EXPECT_NE(run_openssl({"req", "-in", dir / "tampered.pem", "-verify", "-noout"})
                  .output.find("self-signature verify failure"),
              std::string::npos);
    auto csr = CertificateRequest::from_pem(dir.read("tampered.pem"));
    EXPECT_FALSE(csr.signature_valid());
    EXPECT_TRUE(csr.key_is_rsa());
    EXPECT_TRUE(CertificateRequest::from_pem(dir.read("req.pem")).signature_valid());
}

TEST(CertificateRequest, RefusesTextWithoutRequest)
{
    for (const char* pem : {"", "garbage",
                            "-----BEGIN CERTIFICATE REQUEST-----\n!!\n-----END CERTIFICATE REQUEST-----\n"})
        EXPECT_THROW(CertificateRequest::from_pem(pem), CryptoError) << pem;
}

// Found by fuzzing (tests/fuzz/corpus/certificate/undecodable_key): a CSR
// whose public key does not decode is no RSA key of no size, and leaves no
// reason queued in OpenSSL for the thread's next error message.
TEST(CertificateRequest, KeyThatDoesNotDecode)
{
    auto good = CertificateRequest::create(PrivateKey::generate_rsa(), {{"CN", "node"}});
    unsigned char* der = nullptr;
    int size = i2d_X509_REQ(good.get(), &der);
    ASSERT_GT(size, 0);
    std::vector<unsigned char> bytes(der, der + size);
    OPENSSL_free(der);
    // The modulus, an INTEGER of 257 bytes, becomes an OCTET STRING.
    const unsigned char modulus[] = {0x02, 0x82, 0x01, 0x01, 0x00};
    auto at = std::search(bytes.begin(), bytes.end(), std::begin(modulus), std::end(modulus));
    ASSERT_NE(at, bytes.end());
    *at = 0x04;
    const unsigned char* in = bytes.data();
    openssl::X509ReqPtr broken(d2i_X509_REQ(nullptr, &in, long(bytes.size())));
    ASSERT_TRUE(broken);
    auto pem = openssl::write_to_string(
        [&](BIO* bio) { return PEM_write_bio_X509_REQ(bio, broken.get()); }, "PEM");
    ERR_clear_error();

    auto csr = CertificateRequest::from_pem(pem);
    EXPECT_FALSE(csr.key_is_rsa());
    EXPECT_EQ(ERR_peek_error(), 0u);
    EXPECT_EQ(csr.key_bits(), 0);
    EXPECT_EQ(ERR_peek_error(), 0u);
    EXPECT_FALSE(csr.signature_valid());
    EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(CertificateRequest, KeyAndCnCompareWithTheCertificate)
{
    TempDir dir;
    openssl_rsa_key(dir / "ca.key");
    openssl_ca(dir / "ca.key", dir / "ca.crt");
    openssl_csr("rsa:2048", "/O=Acme/CN=1\\/16", dir / "node.key", dir / "node.csr");
    openssl_tool({"x509", "-req", "-in", dir / "node.csr", "-CA", dir / "ca.crt", "-CAkey",
                  dir / "ca.key", "-days", "30", "-out", dir / "node.crt"});
    auto csr = CertificateRequest::from_pem(dir.read("node.csr"));
    EXPECT_EQ(csr.subject_cn(), "1/16");
    EXPECT_EQ(csr.public_key_der(), Certificate::load(dir / "node.crt").public_key_der());
    EXPECT_NE(csr.public_key_der(), Certificate::load(dir / "ca.crt").public_key_der());

    openssl_csr("rsa:2048", "/O=Acme", dir / "other.key", dir / "nocn.csr");
    EXPECT_THROW(CertificateRequest::from_pem(dir.read("nocn.csr")).subject_cn(), CryptoError);
}
