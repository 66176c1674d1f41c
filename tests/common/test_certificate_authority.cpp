// The registry's CA signing node CSRs: certificates that the openssl tool
// verifies and reads as SPEC A.3 requires, random serials, refusals.
#include "common/certificate_authority.hpp"

#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace re6st;
using namespace re6st::test;
using namespace std::chrono_literals;

namespace {

// A CA made by the openssl tool as SPEC A.2 says, and a node key and CSR made
// by the library.
class CertificateAuthorityTest : public testing::Test {
protected:
    void SetUp() override
    {
        openssl_rsa_key(dir / "ca.key");
        openssl_ca(dir / "ca.key", dir / "ca.crt");
    }

    CertificateAuthority authority() const
    {
        return CertificateAuthority(Certificate::load(dir / "ca.crt"),
                                    PrivateKey::load(dir / "ca.key"));
    }

    CertificateRequest csr(const std::vector<std::pair<std::string, std::string>>& subject = {
                               {"O", "Acme"}, {"OU", "Lab"}, {"CN", "chosen by the node"}}) const
    {
        return CertificateRequest::create(node_key, subject);
    }

    std::string expect_refused(const std::function<void()>& action)
    {
        try {
            action();
            ADD_FAILURE() << "no error";
        } catch (const CryptoError& error) {
            return error.what();
        }
        return {};
    }

    TempDir dir;
    PrivateKey node_key = PrivateKey::generate_rsa();
};

}  // namespace

TEST_F(CertificateAuthorityTest, SignedCertificateIsWhatOpensslExpects)
{
    auto ca = authority();
    auto certificate = ca.sign(csr(), "1/16", 365 * 24h);
    dir.write("node.crt", certificate.to_pem());

    EXPECT_EQ(openssl_tool({"verify", "-CAfile", dir / "ca.crt", dir / "node.crt"}),
              dir / "node.crt" + ": OK\n");
    // OpenVPN peers are TLS servers and clients of each other.
    for (const char* purpose : {"sslserver", "sslclient"})
        EXPECT_EQ(openssl_tool({"verify", "-purpose", purpose, "-CAfile", dir / "ca.crt",
                           dir / "node.crt"}),
                  dir / "node.crt" + ": OK\n");

    std::string text = openssl_tool({"x509", "-in", dir / "node.crt", "-noout", "-text"});
    for (const char* expected : {
             "Version: 3 (0x2)",
             "Signature Algorithm: sha256WithRSAEncryption",
             "Issuer: CN = test-ca",
             "Subject: O = Acme, OU = Lab, CN = 1/16",
             "X509v3 Basic Constraints: critical",
             "CA:FALSE",
             "X509v3 Key Usage: critical",
             "Digital Signature, Key Encipherment",
             "TLS Web Server Authentication, TLS Web Client Authentication",
             "X509v3 Subject Key Identifier",
             "X509v3 Authority Key Identifier",
         })
        EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;

    EXPECT_EQ(certificate.subject_cn(), "1/16");
    EXPECT_TRUE(certificate.matches_key(node_key));
    EXPECT_FALSE(certificate.is_ca());
    EXPECT_EQ(verify_certificate(certificate, ca.certificate()), "");
}

TEST_F(CertificateAuthorityTest, ValidityStartsBeforeNow)
{
    auto ca = authority();
    const std::time_t now = ca.certificate().not_before() + 1000;
    auto certificate = ca.sign(csr(), "1/16", 24h, now);
    EXPECT_EQ(certificate.not_before(), now - CertificateAuthority::clock_skew.count());
    EXPECT_EQ(certificate.not_after(), now + 86400);
    EXPECT_EQ(verify_certificate(certificate, ca.certificate(), now), "");
    EXPECT_EQ(verify_certificate(certificate, ca.certificate(), now + 86401),
              "certificate has expired");

    const std::time_t before = std::time(nullptr);
    auto current = ca.sign(csr(), "1/16", 24h);
    const std::time_t after = std::time(nullptr);
    EXPECT_GE(current.not_before(), before - CertificateAuthority::clock_skew.count());
    EXPECT_LE(current.not_before(), after - CertificateAuthority::clock_skew.count());
}

TEST_F(CertificateAuthorityTest, SerialsArePositiveAndDistinct)
{
    auto ca = authority();
    auto request = csr();
    std::set<std::string> serials;
    for (int i = 0; i < 8; ++i) {
        auto serial = ca.sign(request, "1/16", 24h).serial();
        ASSERT_EQ(serial.size(), 16u);   // 127 bits
        EXPECT_LT(serial.front(), 0x80);
        serials.insert(std::string(serial.begin(), serial.end()));
    }
    EXPECT_EQ(serials.size(), 8u);
}

TEST_F(CertificateAuthorityTest, CnReplacesEveryCsrCn)
{
    struct Case {
        std::vector<std::pair<std::string, std::string>> csr_subject;
        const char* subject;   // as `openssl x509 -subject` prints it
    };
    const Case cases[] = {
        {{{"O", "Acme"}, {"CN", "evil"}}, "subject=O = Acme, CN = 5/13\n"},
        {{{"CN", "evil"}, {"O", "Acme"}}, "subject=CN = 5/13, O = Acme\n"},
        {{{"O", "Acme"}}, "subject=O = Acme, CN = 5/13\n"},
        {{{"CN", "a"}, {"O", "Acme"}, {"CN", "b"}}, "subject=CN = 5/13, O = Acme\n"},
        {{}, "subject=CN = 5/13\n"},
    };
    auto ca = authority();
    for (const auto& c : cases) {
        SCOPED_TRACE(c.subject);
        auto certificate = ca.sign(csr(c.csr_subject), "5/13", 24h);
        EXPECT_EQ(certificate.subject_cn(), "5/13");
        dir.write("node.crt", certificate.to_pem());
        EXPECT_EQ(openssl_tool({"x509", "-in", dir / "node.crt", "-noout", "-subject"}), c.subject);
    }
}

TEST_F(CertificateAuthorityTest, AcceptsOnlyGoodCsrsFromOpensslReq)
{
    openssl_tool({"genpkey", "-genparam", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-out", dir / "ec.param"});
    openssl_csr("rsa:2048", "/O=Acme/CN=x", dir / "good.key", dir / "good.csr");
    openssl_csr("rsa:1024", "/O=Acme/CN=x", dir / "small.key", dir / "small.csr");
    openssl_csr("ec:" + dir / "ec.param", "/O=Acme/CN=x", dir / "ec.key", dir / "ec.csr");
    tamper_csr_signature(dir / "good.csr", dir / "tampered.csr");

    struct Case {
        const char* csr;
        const char* error;   // empty when accepted
    };
    const Case cases[] = {
        {"good.csr", ""},
        {"tampered.csr", "CSR signature does not match its public key"},
        {"small.csr", "CSR key has 1024 bits; at least 2048 are required"},
        {"ec.csr", "CSR key is not an RSA key"},
    };
    auto ca = authority();
    for (const auto& c : cases) {
        SCOPED_TRACE(c.csr);
        auto request = CertificateRequest::from_pem(dir.read(c.csr));
        if (*c.error) {
            EXPECT_EQ(expect_refused([&] { ca.sign(request, "1/16", 24h); }), c.error);
            continue;
        }
        dir.write("node.crt", ca.sign(request, "1/16", 24h).to_pem());
        EXPECT_EQ(openssl_tool({"verify", "-CAfile", dir / "ca.crt", dir / "node.crt"}),
                  dir / "node.crt" + ": OK\n");
        EXPECT_TRUE(Certificate::load(dir / "node.crt")
                        .matches_key(PrivateKey::load(dir / "good.key")));
    }
}

TEST_F(CertificateAuthorityTest, RefusesBadArguments)
{
    auto ca = authority();
    auto request = csr();
    EXPECT_EQ(expect_refused([&] { ca.sign(request, "1/16", 0s); }),
              "certificate validity must be positive");
    EXPECT_EQ(expect_refused([&] { ca.sign(request, "", 24h); }).rfind("invalid certificate CN \"\"", 0),
              0u);
}

TEST_F(CertificateAuthorityTest, ChecksItsCertificateAndKey)
{
    EXPECT_EQ(expect_refused([&] {
                  CertificateAuthority(Certificate::load(dir / "ca.crt"), node_key);
              }),
              "the CA key does not match the CA certificate");

    openssl_tool({"req", "-new", "-x509", "-key", dir / "ca.key", "-days", "1", "-subj", "/CN=leaf",
             "-addext", "basicConstraints=critical,CA:FALSE", "-out", dir / "leaf.crt"});
    EXPECT_EQ(expect_refused([&] {
                  CertificateAuthority(Certificate::load(dir / "leaf.crt"),
                                       PrivateKey::load(dir / "ca.key"));
              }),
              "the CA certificate lacks basicConstraints CA:TRUE");

    auto ca = authority();
    EXPECT_EQ(ca.certificate().to_pem(), dir.read("ca.crt"));
}
