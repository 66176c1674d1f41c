// The registry's background work: prefixes whose certificate expired more
// than the grace period ago go back to the pool with their peers, expired
// tokens go, in bounded transactions; the CA's end is announced.
#include "registry/maintenance.hpp"

#include "common/certificate_request.hpp"
#include "common/certificate_serial.hpp"
#include "common/log.hpp"
#include "common/utc_time.hpp"
#include "service_fixture.hpp"
#include "vpn_rows.hpp"

using namespace re6st;
using namespace re6st::registry;
using namespace re6st::test;
using namespace std::chrono_literals;

namespace {

class Reclamation : public ServiceFixture {
protected:
    boost::asio::io_context io;
    std::vector<std::string> lines;   // logged at info and above by the last run()

    void SetUp() override
    {
        settings.prefix_length = 1;   // two nodes fill the network
        settings.grace_period = 10 * 86400s;
        ServiceFixture::SetUp();
        log::set_verbosity(1);
        log::set_sink([this](log::Level, std::string_view line) { lines.emplace_back(line); });
    }

    void TearDown() override
    {
        log::set_sink({});
        log::set_verbosity(0);
    }

    // One run; `lines` keeps what it logged, but the warning about the CA
    // (the fake clock goes past the test CA's end).
    Maintenance::Report run(std::size_t batch = 100)
    {
        Maintenance maintenance(io, *service, ca.authority().certificate(), batch,
                                [this] { return now; });
        lines.clear();
        auto report = maintenance.run();
        std::erase_if(lines, [](const std::string& line) {
            return line.starts_with("the CA certificate ");
        });
        return report;
    }

    // The first moment the certificate of `node` is reclaimed.
    std::int64_t reclaimable(const Enrolled& node)
    {
        return Certificate::from_pem(node.certificate).not_after()
             + settings.grace_period.count() + 1;
    }

    void declare(const Enrolled& node)
    {
        ASSERT_TRUE(service->declare(node.ip, "192.0.2.1,1194,udp", node.ip));
    }

    std::int64_t certificate_records()
    {
        return *enrolment_db.prepare("SELECT count(*) FROM certificates")
                    .query_value<std::int64_t>();
    }
};

}  // namespace

TEST_F(Reclamation, OneOfTwoSiblings)
{
    auto a = enrol();
    now += 86400;
    auto b = enrol();
    ASSERT_EQ(a.prefix, "0");
    ASSERT_EQ(b.prefix, "1");
    now = reclaimable(a);
    EXPECT_EQ(run().prefixes, 1u);
    EXPECT_EQ(vpn_rows(enrolment_db), (VpnRows{{"0", false}, {"1", true}}));
    EXPECT_EQ(lines, (std::vector<std::string>{
                         "reclaimed 1 prefix expired more than 10d ago; deleted 0 expired tokens"}));
    // And it is given to the next node.
    EXPECT_EQ(enrol().prefix, "0");
}

TEST_F(Reclamation, BothSiblingsMergeIntoTheirParent)
{
    auto a = enrol();
    auto b = enrol();
    now = std::max(reclaimable(a), reclaimable(b));
    EXPECT_EQ(run().prefixes, 2u);
    EXPECT_EQ(vpn_rows(enrolment_db), (VpnRows{{"", false}}));
}

TEST_F(Reclamation, AWholeTreeBackToTheRoot)
{
    settings.prefix_length = 16;
    make();
    std::vector<Enrolled> nodes;
    for (int i = 0; i < 5; ++i)
        nodes.push_back(enrol());
    EXPECT_GT(vpn_rows(enrolment_db).size(), 15u);
    now = reclaimable(nodes.back());
    EXPECT_EQ(run().prefixes, 5u);
    EXPECT_EQ(vpn_rows(enrolment_db), (VpnRows{{"", false}}));
}

// Up to the end of the grace period the node may still renew: nothing moves.
TEST_F(Reclamation, NothingWithinTheGracePeriod)
{
    auto a = enrol();
    declare(a);
    service->request_token("pending@example.org");
    now = reclaimable(a) - 1;
    auto before = dump(enrolment_db);
    auto report = run();
    EXPECT_EQ(report.prefixes, 0u);
    EXPECT_EQ(report.tokens, 1);   // the token's lifetime is an hour
    settings.token_lifetime = 1000 * 86400s;
    make();
    service->request_token("pending@example.org");
    before = dump(enrolment_db);
    report = run();
    EXPECT_EQ(report.prefixes, 0u);
    EXPECT_EQ(report.tokens, 0);
    EXPECT_EQ(dump(enrolment_db), before);
    EXPECT_TRUE(peers.find(a.prefix));
    EXPECT_EQ(lines, std::vector<std::string>());   // nothing done, nothing said
}

TEST_F(Reclamation, RenewedCertificatesStay)
{
    auto a = enrol();
    auto b = enrol();
    now = reclaimable(a) - 1;
    service->renew_certificate(
        CertificateRequest::create(a.key, {{"CN", "0/1"}}).to_pem());
    now = reclaimable(b);
    EXPECT_EQ(run().prefixes, 1u);
    EXPECT_EQ(vpn_rows(enrolment_db), (VpnRows{{"0", true}, {"1", false}}));
}

TEST_F(Reclamation, ThePeersRowGoesToo)
{
    auto a = enrol();
    now += 86400;
    auto b = enrol();
    declare(a);
    declare(b);
    now = reclaimable(a);
    run();
    EXPECT_FALSE(peers.find(a.prefix));
    EXPECT_TRUE(peers.find(b.prefix));
    EXPECT_EQ(peer_db.prepare("SELECT prefix FROM peers").query_value<std::string>(), b.prefix);
    EXPECT_EQ(peers.size(), 1u);
}

// A reclaimed node cannot renew: it enrols again, for a new prefix.
TEST_F(Reclamation, NoRenewalAfterwards)
{
    auto a = enrol();
    now = reclaimable(a);
    run();
    try {
        service->renew_certificate(CertificateRequest::create(a.key, {{"CN", "0/1"}}).to_pem());
        ADD_FAILURE() << "renewed";
    } catch (const RequestError& error) {
        EXPECT_STREQ(error.what(), "no certificate is on record for 0/1: enrol the node with re6st-conf");
    }
}

TEST_F(Reclamation, ExpiredTokensAreDeleted)
{
    service->request_token("a@example.org");
    now += 1800;
    service->request_token("b@example.org");
    now += 1800;   // the first one's lifetime (an hour) is over
    EXPECT_EQ(run().tokens, 1);
    EXPECT_EQ(enrolment_db.prepare("SELECT email FROM tokens").query_value<std::string>(),
              "b@example.org");
    EXPECT_EQ(lines, (std::vector<std::string>{
                         "reclaimed 0 prefixes expired more than 10d ago; deleted 1 expired token"}));
}

// Each transaction frees at most `batch` prefixes, earliest expiry first; a
// run goes on until none is left.
TEST_F(Reclamation, BoundedTransactions)
{
    settings.prefix_length = 16;
    make();
    std::vector<Enrolled> nodes;
    for (int i = 0; i < 5; ++i) {
        nodes.push_back(enrol());
        now += 60;
    }
    now = reclaimable(nodes.back());
    EXPECT_EQ(service->reclaim_prefixes(2),
              (std::vector<std::string>{nodes[0].prefix, nodes[1].prefix}));
    EXPECT_EQ(service->reclaim_prefixes(2),
              (std::vector<std::string>{nodes[2].prefix, nodes[3].prefix}));
    EXPECT_EQ(service->reclaim_prefixes(2), (std::vector<std::string>{nodes[4].prefix}));
    EXPECT_EQ(service->reclaim_prefixes(2), std::vector<std::string>());
    EXPECT_EQ(vpn_rows(enrolment_db), (VpnRows{{"", false}}));
}

TEST_F(Reclamation, ARunTakesAsManyTransactionsAsNeeded)
{
    settings.prefix_length = 16;
    make();
    std::vector<Enrolled> nodes;
    for (int i = 0; i < 5; ++i)
        nodes.push_back(enrol());
    int commits = 0;
    sqlite3_commit_hook(
        enrolment_db.get(), [](void* count) { return ++*static_cast<int*>(count), 0; }, &commits);
    now = reclaimable(nodes.back());
    EXPECT_EQ(run(2).prefixes, 5u);
    sqlite3_commit_hook(enrolment_db.get(), nullptr, nullptr);
    // The tokens, the revocations, 2 + 2 + 1 prefixes, then the records of
    // expired certificates (those of the prefixes went with them).
    EXPECT_EQ(commits, 1 + 1 + 3 + 1);
    EXPECT_EQ(vpn_rows(enrolment_db), (VpnRows{{"", false}}));
}

// The record of every certificate issued goes once the certificate has
// expired, a batch per transaction; the node's current one stays.
TEST_F(Reclamation, ExpiredCertificatesAreForgottenInBoundedTransactions)
{
    auto a = enrol();
    auto renew = [&] {
        now += 86400;
        return Certificate::from_pem(
            service->renew_certificate(CertificateRequest::create(a.key, {{"CN", "0/1"}}).to_pem()));
    };
    for (int i = 0; i < 4; ++i)
        renew();
    auto current = renew();
    ASSERT_EQ(certificate_records(), 6);
    auto issued_at = now;
    // Past the end of all but the current one, which ends a day later.
    now = current.not_after() - 86400 + 1;
    int commits = 0;
    sqlite3_commit_hook(
        enrolment_db.get(), [](void* count) { return ++*static_cast<int*>(count), 0; }, &commits);
    auto report = run(2);
    sqlite3_commit_hook(enrolment_db.get(), nullptr, nullptr);
    EXPECT_EQ(report.certificates, 5u);
    EXPECT_EQ(commits, 1 + 1 + 1 + 3);   // tokens, revocations, prefixes, 2 + 2 + 1 records
    EXPECT_EQ(IssuedCertificates(enrolment_db).of("0/1"),
              (std::vector<IssuedCertificate>{{serial_text(current.serial()), "0/1",
                                               std::int64_t(current.not_after()), issued_at}}));
    EXPECT_EQ(lines, std::vector<std::string>());   // bookkeeping: said at debug level only
    EXPECT_EQ(run().certificates, 0u);
}

// A prefix that goes back to the pool takes the records of its
// certificates with it, even one that has not expired (issued when
// --certificate-validity was longer), which a later owner of the prefix
// must not be charged with.
TEST_F(Reclamation, AReclaimedPrefixTakesTheRecordsOfItsCertificates)
{
    auto a = enrol();
    auto b = enrol();
    settings.certificate_validity = 86400s;
    make();
    auto renewed = Certificate::from_pem(
        service->renew_certificate(CertificateRequest::create(a.key, {{"CN", "0/1"}}).to_pem()));
    now = renewed.not_after() + settings.grace_period.count() + 1;
    ASSERT_LT(now, Certificate::from_pem(a.certificate).not_after());
    ASSERT_EQ(certificate_records(), 3);
    EXPECT_EQ(run().prefixes, 1u);
    EXPECT_TRUE(IssuedCertificates(enrolment_db).of("0/1").empty());
    EXPECT_EQ(IssuedCertificates(enrolment_db).of("1/1").size(), 1u);
    EXPECT_EQ(certificate_records(), 1);
}

// A failure is logged and the next run tries again.
TEST_F(Reclamation, AFailedRunIsLogged)
{
    auto a = enrol();
    now = reclaimable(a);
    enrolment_db.exec("CREATE TRIGGER no_free BEFORE UPDATE ON vpn BEGIN SELECT RAISE(ABORT, 'locked by the test'); END");
    EXPECT_EQ(run().prefixes, 0u);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("reclaiming expired prefixes and tokens: "), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("locked by the test"), std::string::npos) << lines[0];
    EXPECT_EQ(vpn_rows(enrolment_db), (VpnRows{{"0", true}, {"1", false}}));
    enrolment_db.exec("DROP TRIGGER no_free");
    EXPECT_EQ(run().prefixes, 1u);
}

// --- the schedule and the CA ---

TEST(MaintenanceInterval, AQuarterOfTheGracePeriodWithin10sAnd1h)
{
    const std::pair<std::chrono::seconds, std::chrono::seconds> cases[] = {
        {100 * 86400s, 3600s}, {4h, 3600s}, {2h, 1800s}, {60s, 15s}, {40s, 10s}, {0s, 10s},
    };
    for (const auto& [grace, interval] : cases)
        EXPECT_EQ(maintenance_interval(grace), interval) << grace.count();
}

TEST(CaExpiryWarning, WithinThirtyDaysAndAfter)
{
    auto ca = TestCa::get().authority().certificate();
    std::int64_t end = ca.not_after();
    auto date = re6st::utc_time(end);
    const std::string advice = ": replace it by one of the same key, serial and subject with a "
                               "later end (see re6st-registry(8), CA CERTIFICATE) and restart "
                               "re6st-registry";
    EXPECT_FALSE(ca_expiry_warning(ca, end - 30 * 86400 - 1));
    EXPECT_EQ(ca_expiry_warning(ca, end - 30 * 86400),
              "the CA certificate expires on " + date + ", in 30 days" + advice);
    EXPECT_EQ(ca_expiry_warning(ca, end - 86400 - 5),
              "the CA certificate expires on " + date + ", in 1 day" + advice);
    EXPECT_EQ(ca_expiry_warning(ca, end - 5),
              "the CA certificate expires on " + date + ", in 0 days" + advice);
    EXPECT_EQ(ca_expiry_warning(ca, end),
              "the CA certificate expired on " + date
                  + ": nodes refuse the certificates it signs" + advice);
}

// At start, then once a day however often the runs come.
TEST_F(Reclamation, CaWarningOnceADay)
{
    std::int64_t end = ca.authority().certificate().not_after();
    Maintenance maintenance(io, *service, ca.authority().certificate(), 100,
                            [this] { return now; });
    now = end - 10 * 86400;
    auto warnings = [&] {
        return std::count_if(lines.begin(), lines.end(), [](const std::string& line) {
            return line.starts_with("the CA certificate expires on ");
        });
    };
    maintenance.run();
    EXPECT_EQ(warnings(), 1);
    now += 3600;
    maintenance.run();
    EXPECT_EQ(warnings(), 1);
    now += 86400;
    maintenance.run();
    EXPECT_EQ(warnings(), 2);
}
