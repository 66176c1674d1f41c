// Renewal in place, with the real openssl tool and a CA of the test's own
// standing in for the registry's: when it asks, what it checks before a file
// is replaced, what a failure does; and the CA certificate's refresh.
#include "re6stnet/certificate_renewer.hpp"

#include "common/certificate_authority.hpp"
#include "fake_clock.hpp"
#include "loop.hpp"
#include "re6stnet/process/child_reaper.hpp"
#include "re6stnet/process/process_launcher.hpp"
#include "scripted_registry.hpp"
#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::seconds validity = 5min;

struct CertificateRenewerTest : ::testing::Test {
    CertificateRenewerTest()
    {
        test::openssl_rsa_key(dir / "ca.key");
        test::openssl_ca(dir / "ca.key", dir / "ca.crt");
        test::openssl_csr("rsa:2048", "/O=Acme/CN=1\\/16", dir / "node.key", dir / "node.csr");
        dir.write("node.crt", sign(dir.read("node.csr")));
        registry.renew = [this](const std::string& csr) -> std::optional<std::string> {
            return sign(csr);
        };
        renewer = std::make_unique<CertificateRenewer>(
            context, registry, openssl, CertificateRenewer::Files{dir / "ca.crt", dir / "node.crt",
                                                                  dir / "node.key"},
            openssl.dates(dir / "node.crt"), openssl.dates(dir / "ca.crt"),
            [this] { return wall(); });
        renewer->changed = [this](WallTime deadline) {
            ++changes;
            deadlines.push_back(deadline);
        };
    }

    // The test's time: the real time at its start (openssl judges the
    // certificates by it), moved on by the fake clock.
    WallTime wall() const { return start + (clock.now() - clock_start); }

    // What the registry does: the CSR signed for `cn` by the CA `ca`
    // (files <ca>.crt and <ca>.key), valid from now.
    std::string sign(const std::string& csr, const std::string& cn = "1/16",
                     const std::string& ca = "ca")
    {
        CertificateAuthority authority(Certificate::load(dir / (ca + ".crt")),
                                       PrivateKey::load(dir / (ca + ".key")));
        return authority
            .sign(CertificateRequest::from_pem(csr), cn, validity,
                  std::chrono::system_clock::to_time_t(wall()))
            .to_pem();
    }

    // Moves the clock on and runs what became due, openssl included.
    void advance(std::chrono::milliseconds step)
    {
        clock.advance(step);
        test::run_until(io, [] { return false; }, 300ms);
    }

    // Waits for the registry to be asked `call`, then answers everything.
    bool answer(const std::string& call)
    {
        auto asked = test::run_until(io, [&] {
            return std::find(registry.calls.begin(), registry.calls.end(), call)
                != registry.calls.end();
        });
        registry.answer_all();
        test::run_until(io, [] { return false; }, 100ms);
        return asked;
    }

    test::TempDir dir;
    boost::asio::io_context io;
    ChildReaper reaper{io};
    PosixProcessLauncher launcher;
    test::FakeClock clock{io};
    ProcessContext context{io, launcher, reaper, clock};
    test::ScriptedRegistry registry;
    OpenSslTool openssl{run_command};
    WallTime start = std::chrono::system_clock::now();
    Clock::time_point clock_start = clock.now();
    std::unique_ptr<CertificateRenewer> renewer;
    int changes = 0;
    std::vector<WallTime> deadlines;   // given with each change
};

}  // namespace

TEST_F(CertificateRenewerTest, RenewsAThirdOfTheLifetimeBeforeExpiryAndReplacesTheFile)
{
    auto before = dir.read("node.crt");
    auto old_dates = renewer->certificate_dates();
    renewer->start();
    advance(190s);
    EXPECT_TRUE(registry.calls.empty());

    advance(15s);   // 100 s before expiry
    ASSERT_TRUE(answer("renewCertificate"));
    EXPECT_EQ(changes, 1);
    EXPECT_EQ(deadlines, std::vector<WallTime>{old_dates.not_after});
    EXPECT_EQ(renewer->renewals(), 1u);
    auto after = dir.read("node.crt");
    EXPECT_NE(after, before);
    EXPECT_GT(renewer->certificate_dates().not_after, old_dates.not_after);
    EXPECT_EQ(openssl.dates(dir / "node.crt").not_after, renewer->certificate_dates().not_after);
    EXPECT_TRUE(openssl.matches_key(dir / "node.crt", dir / "node.key"));
    EXPECT_EQ(openssl.subject(dir / "node.crt"), "CN=1/16,O=Acme");
    // The CA is checked at every renewal.
    EXPECT_EQ(registry.calls, (std::vector<std::string>{"renewCertificate", "getCa"}));

    // The next renewal is 100 s before the new expiry, not at once.
    registry.calls.clear();
    advance(150s);
    EXPECT_TRUE(registry.calls.empty());
    advance(60s);
    ASSERT_TRUE(answer("renewCertificate"));
    EXPECT_EQ(renewer->renewals(), 2u);
}

TEST_F(CertificateRenewerTest, FailureKeepsTheFileAndRetriesWithinATenthOfWhatIsLeft)
{
    auto before = dir.read("node.crt");
    registry.renew = nullptr;   // unreachable
    renewer->start();
    advance(205s);
    ASSERT_TRUE(answer("renewCertificate"));
    EXPECT_EQ(dir.read("node.crt"), before);
    EXPECT_EQ(changes, 0);
    registry.calls.clear();

    // About 95 s left: the retry is 9 s later, not 30.
    advance(8s);
    EXPECT_TRUE(registry.calls.empty());
    registry.renew = [this](const std::string& csr) -> std::optional<std::string> {
        return sign(csr);
    };
    advance(2s);
    ASSERT_TRUE(answer("renewCertificate"));
    EXPECT_NE(dir.read("node.crt"), before);
    EXPECT_EQ(changes, 1);
}

TEST_F(CertificateRenewerTest, CertificateThatDoesNotFitIsNotInstalled)
{
    auto before = dir.read("node.crt");
    test::openssl_csr("rsa:2048", "/O=Acme/CN=1\\/16", dir / "other.key", dir / "other.csr");
    test::openssl_rsa_key(dir / "rogue.key");
    test::openssl_ca(dir / "rogue.key", dir / "rogue.crt");
    struct Case {
        const char* name;
        std::function<std::string(const std::string& csr)> answer;
        const char* why;
    };
    const Case cases[] = {
        {"another key", [&](const std::string&) { return sign(dir.read("other.csr")); },
         "another key"},
        {"another CA", [&](const std::string& csr) { return sign(csr, "1/16", "rogue"); },
         "not valid for the CA"},
        {"another subject", [&](const std::string& csr) { return sign(csr, "2/16"); },
         "another subject"},
        {"not a certificate", [](const std::string&) { return std::string("hello"); }, ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        registry.renew = [&](const std::string& csr) -> std::optional<std::string> {
            return c.answer(csr);
        };
        std::optional<std::string> error;
        renewer->renew_now([&](const std::string& why, bool refused) {
            error = why;
            EXPECT_FALSE(refused);
        });
        ASSERT_TRUE(answer("renewCertificate"));
        ASSERT_TRUE(error);
        EXPECT_NE(error->find(c.why), std::string::npos) << *error;
        EXPECT_EQ(dir.read("node.crt"), before);
        EXPECT_EQ(changes, 0);
        registry.calls.clear();
    }
    // No temporary file is left behind.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
        ++files;
    EXPECT_EQ(files, 9u);
}

TEST_F(CertificateRenewerTest, RefusalIsToldApart)
{
    registry.renew = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    std::optional<bool> refused;
    renewer->renew_now([&](const std::string& why, bool r) {
        EXPECT_FALSE(why.empty());
        refused = r;
    });
    ASSERT_TRUE(answer("renewCertificate"));
    EXPECT_EQ(refused, true);
}

TEST_F(CertificateRenewerTest, LaterCopyOfTheCaReplacesOursAnythingElseIsIgnored)
{
    auto ours = dir.read("ca.crt");
    // Another CA: same subject and serial, another key.
    test::openssl_rsa_key(dir / "other-ca.key");
    test::openssl_ca(dir / "other-ca.key", dir / "other-ca.crt");
    registry.ca = dir.read("other-ca.crt");
    renewer->start();
    advance(24h);
    ASSERT_TRUE(answer("getCa"));
    EXPECT_EQ(dir.read("ca.crt"), ours);
    EXPECT_EQ(changes, 0);

    // The same CA, one more year: taken.
    test::openssl_tool({"req", "-nodes", "-new", "-x509", "-key", dir / "ca.key", "-set_serial",
                        "0x120010db80042", "-days", "730", "-subj", "/CN=test-ca", "-addext",
                        "basicConstraints=critical,CA:TRUE", "-out", dir / "later-ca.crt"});
    registry.ca = dir.read("later-ca.crt");
    registry.calls.clear();
    advance(24h);
    ASSERT_TRUE(answer("getCa"));
    EXPECT_EQ(dir.read("ca.crt"), *registry.ca);
    EXPECT_EQ(changes, 1);
    EXPECT_GT(renewer->ca_dates().not_after, renewer->certificate_dates().not_after + 24h * 600);

    // Our own again, or one with another serial: nothing changes.
    for (const char* serial : {"0x120010db80043"}) {
        test::openssl_tool({"req", "-nodes", "-new", "-x509", "-key", dir / "ca.key",
                            "-set_serial", serial, "-days", "1000", "-subj", "/CN=test-ca",
                            "-addext", "basicConstraints=critical,CA:TRUE", "-out",
                            dir / "serial-ca.crt"});
        registry.ca = dir.read("serial-ca.crt");
        registry.calls.clear();
        advance(24h);
        ASSERT_TRUE(answer("getCa"));
        EXPECT_EQ(dir.read("ca.crt"), dir.read("later-ca.crt"));
        EXPECT_EQ(changes, 1);
    }
}

TEST_F(CertificateRenewerTest, CaThatExpiresWithin30DaysIsWarnedAboutDaily)
{
    // The test CA is valid 365 days: 340 days later, it has 25 left.
    renewer->start();
    registry.renew = nullptr;
    testing::internal::CaptureStderr();
    advance(std::chrono::days(340));
    answer("getCa");
    auto logged = testing::internal::GetCapturedStderr();
    EXPECT_NE(logged.find("the CA certificate " + dir / "ca.crt" + " expires on "),
              std::string::npos)
        << logged;
}
