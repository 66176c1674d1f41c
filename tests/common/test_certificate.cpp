// Certificates made by the openssl tool, read by the library: serial (SPEC
// A.2 network), CN, validity, CA flag, key match, verification against a CA.
#include "common/certificate.hpp"

#include "common/prefix.hpp"
#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <ctime>

using namespace re6st;
using namespace re6st::test;

namespace {

// "notBefore=2026-11-25 14:24:56Z" as printed by `openssl x509 -dateopt iso_8601`.
std::time_t parse_openssl_date(const std::string& line)
{
    std::tm fields{};
    const char* value = line.c_str() + line.find('=') + 1;
    if (!strptime(value, "%Y-%m-%d %H:%M:%SZ", &fields))
        throw std::runtime_error("unexpected date line " + line);
    return timegm(&fields);
}

class CertificateTest : public testing::Test {
protected:
    // A CA (SPEC A.2 serial) and one node certificate it signed, both made by
    // the openssl tool; keys made once per test.
    void SetUp() override
    {
        openssl_rsa_key(dir / "ca.key");
        openssl_ca(dir / "ca.key", dir / "ca.crt");
        openssl_csr("rsa:2048", "/O=Acme/CN=1\\/16", dir / "node.key", dir / "node.csr");
        sign_node("ca", "node.crt");
    }

    // node.csr signed by the CA `ca` (files <ca>.crt and <ca>.key) into `out`.
    void sign_node(const std::string& ca, const std::string& out)
    {
        openssl_tool({"x509", "-req", "-in", dir / "node.csr", "-CA", dir / (ca + ".crt"), "-CAkey",
                 dir / (ca + ".key"), "-days", "30", "-set_serial", "7", "-out", dir / out});
    }

    TempDir dir;
};

}  // namespace

TEST_F(CertificateTest, CaSerialGivesTheNetwork)
{
    struct Case {
        const char* set_serial;   // as given to openssl req -set_serial
        const char* hex;
        const char* network;
    };
    const Case cases[] = {
        {"0x120010db80042", "120010db80042", "2001:db8:42::/48"},
        {"316663873929282", "120010db80042", "2001:db8:42::/48"},   // same, in decimal
        {"0x240021b70000", "240021b70000", "2001:db8::/45"},
        {"0xfd", "fd", "fa00::/7"},   // DER adds a zero byte that serial() drops
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.set_serial);
        openssl_ca(dir / "ca.key", dir / "serial.crt", c.set_serial);
        auto certificate = Certificate::load(dir / "serial.crt");
        EXPECT_EQ(certificate.serial_hex(), c.hex);
        ASSERT_FALSE(certificate.serial().empty());
        EXPECT_NE(certificate.serial().front(), 0);
        EXPECT_EQ(Network::from_ca_serial(certificate.serial()).prefix().to_string(), c.network);
    }
}

TEST_F(CertificateTest, ReadsWhatOpensslWrote)
{
    auto ca = Certificate::load(dir / "ca.crt");
    EXPECT_EQ(ca.subject_cn(), "test-ca");
    EXPECT_TRUE(ca.is_ca());
    EXPECT_EQ(ca.to_pem(), dir.read("ca.crt"));

    auto node = Certificate::load(dir / "node.crt");
    EXPECT_EQ(node.subject_cn(), "1/16");
    EXPECT_FALSE(node.is_ca());
    EXPECT_EQ(node.serial_hex(), "7");

    for (const auto& [file, days] : {std::pair{"ca.crt", 365}, std::pair{"node.crt", 30}}) {
        SCOPED_TRACE(file);
        auto certificate = Certificate::load(dir / file);
        std::string dates = openssl_tool(
            {"x509", "-in", dir / file, "-noout", "-dates", "-dateopt", "iso_8601"});
        auto newline = dates.find('\n');
        EXPECT_EQ(certificate.not_before(), parse_openssl_date(dates.substr(0, newline)));
        EXPECT_EQ(certificate.not_after(), parse_openssl_date(dates.substr(newline + 1)));
        EXPECT_EQ(certificate.not_after() - certificate.not_before(), days * 86400);
    }
}

TEST_F(CertificateTest, PemRoundTripAndCopies)
{
    auto node = Certificate::load(dir / "node.crt");
    auto again = Certificate::from_pem(node.to_pem());
    EXPECT_EQ(again.to_pem(), dir.read("node.crt"));
    Certificate copy = node;
    EXPECT_EQ(copy.get(), node.get());
    copy = again;
    EXPECT_EQ(copy.get(), again.get());
}

TEST_F(CertificateTest, SubjectCnMustBeUnique)
{
    struct Case {
        const char* subject;
        const char* error;   // empty: the CN
    };
    const Case cases[] = {
        {"/O=Acme/CN=1\\/16", ""},
        {"/O=Acme", "certificate has no subject CN"},
        {"/CN=1\\/16/CN=2\\/16", "certificate has several subject CNs"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.subject);
        openssl_ca(dir / "ca.key", dir / "subject.crt", "1", c.subject);
        auto certificate = Certificate::load(dir / "subject.crt");
        if (!*c.error) {
            EXPECT_EQ(certificate.subject_cn(), "1/16");
            continue;
        }
        try {
            certificate.subject_cn();
            ADD_FAILURE() << "no error";
        } catch (const CryptoError& error) {
            EXPECT_STREQ(error.what(), c.error);
        }
    }
}

TEST_F(CertificateTest, MatchesKey)
{
    auto ca = Certificate::load(dir / "ca.crt");
    auto node = Certificate::load(dir / "node.crt");
    auto ca_key = PrivateKey::load(dir / "ca.key");
    auto node_key = PrivateKey::load(dir / "node.key");
    EXPECT_TRUE(ca.matches_key(ca_key));
    EXPECT_TRUE(node.matches_key(node_key));
    EXPECT_FALSE(ca.matches_key(node_key));
    EXPECT_FALSE(node.matches_key(ca_key));

    openssl_tool({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
             dir / "ec.key"});
    EXPECT_FALSE(node.matches_key(PrivateKey::load(dir / "ec.key")));
}

TEST_F(CertificateTest, VerifiesAgainstTheCa)
{
    openssl_rsa_key(dir / "other.key");
    openssl_ca(dir / "other.key", dir / "other.crt", "0x120010db80042", "/CN=other-ca");
    sign_node("other", "foreign.crt");

    auto ca = Certificate::load(dir / "ca.crt");
    auto node = Certificate::load(dir / "node.crt");
    struct Case {
        const char* name;
        const char* certificate;
        std::optional<std::time_t> at;
        const char* error;   // empty when valid
    };
    const Case cases[] = {
        {"good", "node.crt", {}, ""},
        {"good on its first second", "node.crt", node.not_before(), ""},
        {"good a second before its end", "node.crt", node.not_after() - 1, ""},
        {"the CA itself", "ca.crt", {}, ""},
        {"from another CA", "foreign.crt", {}, "unable to get local issuer certificate"},
        {"expired", "node.crt", node.not_after(), "certificate has expired"},
        {"not yet valid", "node.crt", node.not_before() - 1, "certificate is not yet valid"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(verify_certificate(Certificate::load(dir / c.certificate), ca, c.at), c.error);
    }
}

TEST(Certificate, RefusesTextWithoutCertificate)
{
    for (const char* pem : {"", "garbage", "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"})
        EXPECT_THROW(Certificate::from_pem(pem), CryptoError) << pem;
}

TEST_F(CertificateTest, FingerprintIsWhatOpensslPrints)
{
    auto ca = Certificate::load(dir / "ca.crt");
    for (std::string digest : {"sha256", "sha1"}) {
        SCOPED_TRACE(digest);
        // "sha256 Fingerprint=AB:CD:...\n"
        auto line = openssl_tool({"x509", "-in", dir / "ca.crt", "-noout", "-fingerprint",
                                  "-" + digest});
        auto expected = line.substr(line.find('=') + 1);
        expected.erase(expected.find_last_not_of('\n') + 1);
        EXPECT_EQ(ca.fingerprint(digest), expected);
    }
    EXPECT_THROW(ca.fingerprint("no-such-digest"), CryptoError);
}

TEST_F(CertificateTest, PublicKeyAndSubjectCompareCertificates)
{
    auto node = Certificate::load(dir / "node.crt");
    auto ca = Certificate::load(dir / "ca.crt");
    // Another certificate for the same key and subject: same key bytes.
    sign_node("ca", "again.crt");
    auto again = Certificate::load(dir / "again.crt");
    EXPECT_EQ(node.public_key_der(), again.public_key_der());
    EXPECT_FALSE(node.public_key_der().empty());
    EXPECT_NE(node.public_key_der(), ca.public_key_der());
    EXPECT_EQ(node.subject(), again.subject());
    EXPECT_EQ(node.subject(), "CN=1/16,O=Acme");
    EXPECT_NE(node.subject(), ca.subject());
}
