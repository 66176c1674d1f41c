// The registry's methods (SPEC A.3) with the original's defects fixed (SPEC
// B.1-B.7, B.13), on a real CA, a real SQLite file and an mbox mailer.
#include "registry/registry_service.hpp"

#include "common/certificate_serial.hpp"
#include "common/rsa_cipher.hpp"
#include "common/utc_time.hpp"
#include "registry/administration.hpp"
#include "service_fixture.hpp"
#include "support/openssl_cli.hpp"

#include <set>

using namespace re6st;
using namespace re6st::registry;
using namespace re6st::test;
using namespace std::chrono_literals;

namespace {

using Service = ServiceFixture;

// The issued certificate's record, as the certificates table holds it.
IssuedCertificate issued(const std::string& pem, std::int64_t date)
{
    auto cert = Certificate::from_pem(pem);
    return {serial_text(cert.serial()), cert.subject_cn(), std::int64_t(cert.not_after()), date};
}

std::vector<IssuedCertificate> issued_rows(sqlite::Database& db)
{
    std::vector<IssuedCertificate> all;
    IssuedCertificates certificates(db);
    for (auto cn : {"0/16", "1/16"})
        for (auto& c : certificates.of(cn))
            all.push_back(std::move(c));
    return all;
}

}  // namespace

// --- requestToken ---

TEST_F(Service, TokenIsMailedAndStored)
{
    service->request_token("node@example.org");
    auto mail = read_file(dir / "mbox");
    EXPECT_NE(mail.find("Subject: [re6stnet] Token Request\n"), mail.npos);
    EXPECT_NE(mail.find("To: node@example.org\n"), mail.npos);
    EXPECT_NE(mail.find("From: registry@example.org\n"), mail.npos);
    EXPECT_NE(mail.find(" within 1 hour. "), mail.npos) << mail;   // --token-lifetime 3600
    auto token = mailed_token();
    ASSERT_EQ(token.size(), 16u);
    auto row = enrolment_db.prepare("SELECT email, prefix_len, date FROM tokens WHERE token = ?")
                   .query_row<std::string, int, std::int64_t>(token);
    ASSERT_TRUE(row);
    EXPECT_EQ(*row, std::make_tuple(std::string("node@example.org"), 16, t0));
}

TEST_F(Service, BadEmailIsRefusedBeforeAnyMail)
{
    auto before = dump(enrolment_db);
    for (const char* email : {"", "no-at-sign", "a@b\r\nBcc: c@d", "<a@b>"})
        EXPECT_EQ(kind_of([&] { service->request_token(email); }), RequestError::Kind::invalid);
    EXPECT_EQ(dump(enrolment_db), before);
    EXPECT_TRUE(read_file(dir / "mbox").empty());
}

// A mail that cannot be sent is a fault, and leaves no token behind.
TEST_F(Service, MailFailureLeavesNoToken)
{
    MboxMailer broken("/nonexistent-directory/mbox");
    make(&broken);
    auto before = dump(enrolment_db);
    EXPECT_EQ(kind_of([&] { service->request_token("node@example.org"); }),
              RequestError::Kind::failed);
    EXPECT_EQ(dump(enrolment_db), before);
}

TEST_F(Service, ExpiredTokensArePurgedByLaterRequests)
{
    service->request_token("a@example.org");
    now += 3600;
    service->request_token("b@example.org");
    EXPECT_EQ(enrolment_db.prepare("SELECT email FROM tokens").query_value<std::string>(),
              "b@example.org");
}

// --- requestCertificate ---

TEST_F(Service, CertificateForTheFirstPrefix)
{
    auto node = make_node();
    auto pem = service->request_certificate(token(), node.csr_pem);
    auto cert = Certificate::from_pem(pem);
    auto ca = Certificate::load(TestCa::get().certificate_path);
    EXPECT_EQ(verify_certificate(cert, ca, t0), "");
    EXPECT_EQ(cert.subject_cn(), "0/16");
    EXPECT_TRUE(cert.matches_key(node.key));
    EXPECT_FALSE(cert.is_ca());
    EXPECT_EQ(cert.not_after() - t0, 365 * 86400);

    auto row = enrolment_db.prepare("SELECT email, cert FROM vpn WHERE prefix = ?")
                   .query_row<std::string, std::string>(std::string(16, '0'));
    ASSERT_TRUE(row);
    EXPECT_EQ(*row, std::make_tuple(std::string("node@example.org"), pem));
    EXPECT_EQ(enrolment_db.prepare("SELECT count(*) FROM tokens").query_value<int>(), 0);
    EXPECT_EQ(issued_rows(enrolment_db), std::vector<IssuedCertificate>{issued(pem, t0)});
}

TEST_F(Service, EachCertificateGetsItsOwnPrefixAndSerial)
{
    std::set<std::string> prefixes, serials;
    for (int i = 0; i < 4; ++i) {
        auto enrolled = enrol();
        prefixes.insert(enrolled.prefix);
        serials.insert(Certificate::from_pem(enrolled.certificate).serial_hex());
    }
    EXPECT_EQ(prefixes, (std::set<std::string>{"0000000000000000", "0000000000000001",
                                                "0000000000000010", "0000000000000011"}));
    EXPECT_EQ(serials.size(), 4u);
}

// Each refused request is a fault that changes nothing: the token is still
// usable afterwards.
TEST_F(Service, BadRequestsChangeNothing)
{
    auto good = token();
    auto node = make_node();
    auto weak = make_node(1024);
    tamper_csr_signature(dir.write("node.csr", node.csr_pem), dir / "bad.csr");
    auto bad_signature = dir.read("bad.csr");
    struct Case {
        const char* what;
        std::string token;
        std::string csr;
    };
    for (const auto& [what, t, csr] : {
             Case{"not PEM", good, "hello"},
             Case{"truncated PEM", good, node.csr_pem.substr(0, node.csr_pem.size() / 2)},
             Case{"a certificate, not a CSR", good, read_file(TestCa::get().certificate_path)},
             Case{"bad signature", good, bad_signature},
             Case{"1024-bit key", good, weak.csr_pem},
             Case{"unknown token", "aaaaaaaaaaaaaaaa", node.csr_pem},
             Case{"empty token", "", node.csr_pem},
         }) {
        auto before = dump(enrolment_db);
        // Structured bindings are named in the capture: clang 14 cannot capture them otherwise.
        EXPECT_EQ(kind_of([&, &t = t, &csr = csr] { service->request_certificate(t, csr); }),
                  RequestError::Kind::invalid)
            << what;
        EXPECT_EQ(dump(enrolment_db), before) << what;
    }
    EXPECT_NO_THROW(service->request_certificate(good, node.csr_pem));
}

TEST_F(Service, TokenIsSingleUse)
{
    auto t = token();
    auto node = make_node();
    service->request_certificate(t, node.csr_pem);
    auto before = dump(enrolment_db);
    EXPECT_EQ(kind_of([&] { service->request_certificate(t, node.csr_pem); }),
              RequestError::Kind::invalid);
    EXPECT_EQ(dump(enrolment_db), before);
}

TEST_F(Service, ExpiredTokenIsRefused)
{
    auto t = token();
    auto node = make_node();
    now += 3600;
    auto before = dump(enrolment_db);
    try {
        service->request_certificate(t, node.csr_pem);
        FAIL() << "expired token accepted";
    } catch (const RequestError& error) {
        EXPECT_NE(std::string(error.what()).find("expired"), std::string::npos);
    }
    EXPECT_EQ(dump(enrolment_db), before);
}

// When the network is full the request fails and the token stays usable.
TEST_F(Service, FullNetworkKeepsTheToken)
{
    settings.prefix_length = 1;
    make();
    enrol();
    enrol();
    auto t = token();
    auto node = make_node();
    auto before = dump(enrolment_db);
    EXPECT_EQ(kind_of([&] { service->request_certificate(t, node.csr_pem); }),
              RequestError::Kind::failed);
    EXPECT_EQ(dump(enrolment_db), before);
}

TEST_F(Service, PrefixLengthMustFitTheNetwork)
{
    settings.prefix_length = 80;   // 2001:db8:42::/48 leaves 79 bits
    EXPECT_THROW(make(), std::invalid_argument);
    settings.prefix_length = 0;
    EXPECT_THROW(make(), std::invalid_argument);
}

// --- renewCertificate ---

namespace {

// A CSR for `cn` signed by `key`, as a node asking for renewal makes it.
std::string renewal_csr(const PrivateKey& key, const std::string& cn)
{
    return CertificateRequest::create(key, {{"O", "re6st-test"}, {"CN", cn}}).to_pem();
}

std::string vpn_cert(sqlite::Database& db, const std::string& prefix)
{
    return db.prepare("SELECT cert FROM vpn WHERE prefix = ?").query_value<std::string>(prefix).value();
}

std::int64_t vpn_expires(sqlite::Database& db, const std::string& prefix)
{
    return db.prepare("SELECT expires FROM vpn WHERE prefix = ?")
        .query_value<std::int64_t>(prefix)
        .value();
}

std::string refusal(const std::function<void()>& call)
{
    try {
        call();
    } catch (const RequestError& error) {
        EXPECT_EQ(error.kind(), RequestError::Kind::invalid) << error.what();
        return error.what();
    }
    return "accepted";
}

}  // namespace

TEST_F(Service, RenewalWithTheNodesOwnKey)
{
    auto node = enrol();
    auto old = Certificate::from_pem(node.certificate);
    EXPECT_EQ(vpn_expires(enrolment_db, node.prefix), old.not_after());
    now += 200 * 86400;
    auto pem = service->renew_certificate(renewal_csr(node.key, "0/16"));
    auto renewed = Certificate::from_pem(pem);
    EXPECT_EQ(verify_certificate(renewed, Certificate::load(TestCa::get().certificate_path), now), "");
    EXPECT_EQ(renewed.subject_cn(), "0/16");
    EXPECT_TRUE(renewed.matches_key(node.key));
    EXPECT_NE(renewed.serial_hex(), old.serial_hex());
    EXPECT_EQ(renewed.not_after(), now + 365 * 86400);
    EXPECT_GT(renewed.not_after(), old.not_after());
    EXPECT_EQ(renewed.not_before(), now - 3600);   // the CA's allowance for clock skew
    // In the old one's place, with the same owner.
    EXPECT_EQ(vpn_cert(enrolment_db, node.prefix), pem);
    EXPECT_EQ(vpn_expires(enrolment_db, node.prefix), renewed.not_after());
    EXPECT_EQ(enrolment_db.prepare("SELECT email FROM vpn WHERE prefix = ?")
                  .query_value<std::string>(node.prefix),
              "node@example.org");
    // Recorded, and the one it superseded stays on record.
    EXPECT_EQ(issued_rows(enrolment_db),
              (std::vector<IssuedCertificate>{issued(node.certificate, t0), issued(pem, now)}));
}

// The certificate is recorded in the transaction that stores it: if the
// record fails, neither the enrolment nor the renewal happened.
TEST_F(Service, IssuedCertificatesAreRecordedWithTheirVpnRowOrNotAtAll)
{
    auto node = enrol();
    auto newcomer = make_node();
    auto pending = token("newcomer@example.org");
    enrolment_db.exec("CREATE TRIGGER no_record BEFORE INSERT ON certificates"
                      " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    auto before = dump(enrolment_db);
    EXPECT_THROW(service->request_certificate(pending, newcomer.csr_pem), sqlite::Error);
    EXPECT_THROW(service->renew_certificate(renewal_csr(node.key, "0/16")), sqlite::Error);
    EXPECT_EQ(dump(enrolment_db), before);
    enrolment_db.exec("DROP TRIGGER no_record");
    auto pem = service->request_certificate(pending, newcomer.csr_pem);   // the token was kept
    EXPECT_EQ(issued_rows(enrolment_db),
              (std::vector<IssuedCertificate>{issued(node.certificate, t0), issued(pem, t0)}));
}

// A CN with leading zeros names the same prefix; the certificate carries the
// usual spelling.
TEST_F(Service, RenewalCnIsCanonical)
{
    enrol();
    auto node = enrol();
    ASSERT_EQ(node.prefix, "0000000000000001");
    auto pem = service->renew_certificate(renewal_csr(node.key, "001/16"));
    EXPECT_EQ(Certificate::from_pem(pem).subject_cn(), "1/16");
}

TEST_F(Service, RenewalRefusalsChangeNothing)
{
    auto node = enrol();
    auto other = make_node();
    auto good = renewal_csr(node.key, "0/16");
    tamper_csr_signature(dir.write("renewal.csr", good), dir / "bad.csr");
    struct Case {
        std::string csr;
        std::string message;
    };
    const Case cases[] = {
        {"hello", "csr is not a PEM certificate request"},
        {good.substr(0, good.size() / 2), "csr is not a PEM certificate request"},
        {node.certificate, "csr is not a PEM certificate request"},
        {dir.read("bad.csr"), "the certificate request's signature does not match its key"},
        {renewal_csr(other.key, "0/16"),
         "the certificate request's key is not the key of the certificate of 0/16"},
        {renewal_csr(node.key, "1/16"),
         "no certificate is on record for 1/16: enrol the node with re6st-conf"},
        {renewal_csr(node.key, "0/1"),
         "no certificate is on record for 0/1: enrol the node with re6st-conf"},
        {renewal_csr(node.key, "0/80"), "0/80 is not a node prefix of network 2001:db8:42::/48"},
        {renewal_csr(node.key, "node"),
         "invalid node prefix CN \"node\": expected \"<prefix>/<length>\""},
        {CertificateRequest::create(node.key, {{"O", "re6st-test"}}).to_pem(),
         "the certificate request must have one subject CN: the node's prefix, as in its "
         "certificate"},
    };
    auto before = dump(enrolment_db);
    for (const auto& c : cases) {
        EXPECT_EQ(refusal([&] { service->renew_certificate(c.csr); }), c.message) << c.csr;
        EXPECT_EQ(dump(enrolment_db), before) << c.message;
    }
    EXPECT_NO_THROW(service->renew_certificate(good));
}

// Within --grace-period after its expiry a certificate can still be renewed;
// past it, never.
TEST_F(Service, RenewalAfterExpiryWithinTheGracePeriodOnly)
{
    auto node = enrol();
    auto expiry = Certificate::from_pem(node.certificate).not_after();
    auto csr = renewal_csr(node.key, "0/16");
    auto before = dump(enrolment_db);
    now = expiry + settings.grace_period.count() + 1;
    EXPECT_EQ(refusal([&] { service->renew_certificate(csr); }),
              "the certificate of 0/16 expired on " + utc_time(expiry)
                  + ", more than 100d ago: enrol the node again with re6st-conf");
    EXPECT_EQ(dump(enrolment_db), before);

    now = expiry + settings.grace_period.count();
    auto renewed = Certificate::from_pem(service->renew_certificate(csr));
    EXPECT_EQ(renewed.not_after(), now + 365 * 86400);
}

TEST_F(Service, RenewalWithAShorterGracePeriod)
{
    settings.grace_period = 3600s;
    settings.certificate_validity = 600s;
    make();
    auto node = enrol();
    auto expiry = Certificate::from_pem(node.certificate).not_after();
    EXPECT_EQ(expiry, t0 + 600);
    now = expiry + 3601;
    EXPECT_NE(refusal([&] { service->renew_certificate(renewal_csr(node.key, "0/16")); })
                  .find(", more than 1h ago: "),
              std::string::npos);
}

// --- getCa, getPrivateAddress ---

TEST_F(Service, CaAndPrivateAddress)
{
    EXPECT_EQ(service->ca_certificate(), Certificate::load(TestCa::get().certificate_path).to_pem());
    EXPECT_EQ(service->private_address(), "http://[2001:db8:42::1]:1234");
    settings.private_address.clear();
    make();
    EXPECT_EQ(kind_of([&] { service->private_address(); }), RequestError::Kind::failed);
}

// --- declare ---

TEST_F(Service, DeclareFromTheNodeItself)
{
    auto node = enrol();
    EXPECT_TRUE(service->declare(node.ip, "192.0.2.1,1194,udp;192.0.2.1,01194,tcp", node.ip));
    auto peer = peers.find(node.prefix);
    ASSERT_TRUE(peer);
    EXPECT_EQ(peer->address, "192.0.2.1,1194,udp;192.0.2.1,1194,tcp");   // canonical form
    EXPECT_EQ(peer->date, t0);
}

// Any address of the node's subnet is the node; the network check uses the
// real source address, never the claim alone (SPEC B.1).
TEST_F(Service, DeclareAuthorisation)
{
    auto node = enrol();
    auto other = enrol();
    auto subnet_address = service->network().node_subnet(node.prefix).address().to_string() + "5";
    struct Case {
        const char* what;
        std::string claimed;
        std::string source;
        bool accepted;
    };
    for (const auto& [what, claimed, source, accepted] : {
             Case{"itself", node.ip, node.ip, true},
             Case{"another address of its subnet", subnet_address, subnet_address, true},
             Case{"claims another node", other.ip, node.ip, false},
             Case{"claims itself from elsewhere", node.ip, "2001:db8:ff::1", false},
             Case{"from IPv4", node.ip, "192.0.2.7", false},
             Case{"outside the network", "2001:db8:43::1", "2001:db8:43::1", false},
             Case{"no certificate there", "2001:db8:42:ff::1", "2001:db8:42:ff::1", false},
         }) {
        auto before = dump(peer_db);
        EXPECT_EQ(service->declare(claimed, "192.0.2.1,1194,udp", source), accepted) << what;
        if (!accepted) {
            EXPECT_EQ(dump(peer_db), before) << what;
        }
    }
}

TEST_F(Service, DeclareBadValuesAreFaults)
{
    auto node = enrol();
    auto before = dump(peer_db);
    for (const auto& [ip, address] : std::vector<std::pair<std::string, std::string>>{
             {"not an address", "192.0.2.1,1194,udp"},
             {"192.0.2.1", "192.0.2.1,1194,udp"},
             {node.ip, "192.0.2.1,1194"},
             {node.ip, "192.0.2.1,1194,tcp-server"},
             {node.ip, "192.0.2.1,99999,udp"},
             {node.ip, "<script>,1,udp"},
         })
        EXPECT_EQ(kind_of([&, &ip = ip, &address = address] { service->declare(ip, address, ip); }),
                  RequestError::Kind::invalid)
            << ip << " " << address;
    EXPECT_EQ(dump(peer_db), before);
}

// --- reportTunnels ---

namespace {

// The tunnel_reports rows, "prefix|peers|date".
std::vector<std::string> reports(sqlite::Database& db)
{
    std::vector<std::string> out;
    auto select = db.prepare("SELECT prefix, peers, date FROM tunnel_reports ORDER BY prefix");
    auto rows = select.query();
    while (rows.next())
        out.push_back(rows.row().get<std::string>(0) + "|" + rows.row().get<std::string>(1) + "|"
                      + std::to_string(rows.row().get<std::int64_t>(2)));
    return out;
}

}  // namespace

TEST_F(Service, ReportTunnelsStoresTheCallersList)
{
    auto node = enrol();
    auto other = enrol();
    service->report_tunnels("1/16  2/16 1/16", node.ip);
    EXPECT_EQ(reports(peer_db),
              (std::vector<std::string>{node.prefix + "|1/16 2/16|" + std::to_string(t0)}));
    // The next report replaces it; an empty one says "no tunnel".
    now += 60;
    service->report_tunnels("", node.ip);
    service->report_tunnels("0/16", other.ip);
    EXPECT_EQ(reports(peer_db),
              (std::vector<std::string>{node.prefix + "||" + std::to_string(t0 + 60),
                                        other.prefix + "|0/16|" + std::to_string(t0 + 60)}));
}

// The source names the node: nothing else is trusted, and a refusal stores
// nothing.
TEST_F(Service, ReportTunnelsAuthorisation)
{
    auto node = enrol();
    auto subnet_address = service->network().node_subnet(node.prefix).address().to_string() + "5";
    service->report_tunnels("1/16", subnet_address);   // any address of its subnet
    auto before = reports(peer_db);
    for (auto source : {"2001:db8:ff::1", "192.0.2.7", "", "2001:db8:43::1", "2001:db8:42:ff::1"})
        EXPECT_EQ(kind_of([&] { service->report_tunnels("2/16", source); }),
                  RequestError::Kind::refused)
            << source;
    EXPECT_EQ(reports(peer_db), before);
}

TEST_F(Service, ReportTunnelsMalformedIsAFaultAndStoresNothing)
{
    auto node = enrol();
    service->report_tunnels("1/16", node.ip);
    auto before = reports(peer_db);
    for (auto peers : {"1/16 x", "1/16,2/16", "0/16", "1/80", "<a/>"})
        EXPECT_EQ(kind_of([&] { service->report_tunnels(peers, node.ip); }),
                  RequestError::Kind::invalid)
            << peers;
    EXPECT_EQ(kind_of([&] { service->report_tunnels(std::string(50000, ' '), node.ip); }),
              RequestError::Kind::invalid);
    EXPECT_EQ(reports(peer_db), before);
}

// A node revoked, or whose prefix goes back to the pool, takes its report
// along.
TEST_F(Service, ARevokedOrReclaimedNodesReportGoes)
{
    auto node = enrol();
    auto other = enrol();
    service->report_tunnels("1/16", node.ip);
    service->report_tunnels("0/16", other.ip);
    revoke(enrolment_db, cn_from_bits(node.prefix), now);
    EXPECT_EQ(reports(peer_db),
              (std::vector<std::string>{other.prefix + "|0/16|" + std::to_string(t0)}));
    now += 365 * 86400 + settings.grace_period.count() + 1;
    EXPECT_EQ(service->reclaim_prefixes(10), (std::vector<std::string>{other.prefix}));
    EXPECT_EQ(reports(peer_db), std::vector<std::string>());
}

// --- getPeerList ---

TEST_F(Service, PeerListNeverHoldsTheCaller)
{
    std::vector<Enrolled> nodes;
    for (int i = 0; i < 3; ++i) {
        nodes.push_back(enrol());
        service->declare(nodes.back().ip, "192.0.2." + std::to_string(i) + ",1194,udp",
                         nodes.back().ip);
    }
    for (int round = 0; round < 20; ++round) {
        auto seen = peer_list(10, nodes[0].ip);
        EXPECT_EQ(std::set(seen.begin(), seen.end()),
                  (std::set<std::string>{nodes[1].prefix, nodes[2].prefix}));
    }
    EXPECT_EQ(peer_list(1, nodes[1].ip).size(), 1u);
}

TEST_F(Service, PeerListChecksItsArguments)
{
    auto node = enrol();
    for (int n : {0, -1, 1000, 1 << 30})
        EXPECT_EQ(kind_of([&] { peer_list(n, node.ip); }), RequestError::Kind::invalid) << n;
    EXPECT_EQ(kind_of([&] { peer_list(10, "garbage"); }), RequestError::Kind::invalid);
    EXPECT_EQ(kind_of([&] { service->peer_list(10, node.ip, "2001:db8:42:ff::1", [](auto&) {}); }),
              RequestError::Kind::refused);
    EXPECT_EQ(kind_of([&] { peer_list(10, "2001:db8:43::1"); }), RequestError::Kind::refused);
    EXPECT_EQ(peer_list(999, node.ip).size(), 0u);
}

// Expired peers go when getPeerList runs and the purge is due (B.6).
TEST_F(Service, PeerListPurgesExpiredPeers)
{
    auto a = enrol();
    auto b = enrol();
    service->declare(a.ip, "192.0.2.1,1194,udp", a.ip);
    now += 86400 - 300;
    service->declare(b.ip, "192.0.2.2,1194,udp", b.ip);
    now += 300;   // a expires now; the last purge (at load) is long past
    EXPECT_TRUE(peer_list(10, b.ip).empty());
    EXPECT_FALSE(peers.find(a.prefix));
    EXPECT_TRUE(peers.find(b.prefix));
}

// --- getBootstrapPeer ---

TEST_F(Service, BootstrapPeerIsEncryptedToTheCaller)
{
    auto caller = enrol();
    auto other = enrol();
    service->declare(other.ip, "192.0.2.9,1194,udp", other.ip);
    auto sealed = service->bootstrap_peer(caller.prefix);
    EXPECT_EQ(sealed.size(), 256u);
    EXPECT_EQ(rsa_decrypt(caller.key, sealed), other.prefix + " 192.0.2.9,1194,udp");
    EXPECT_THROW(rsa_decrypt(other.key, sealed), std::exception);
}

// Never the caller itself; a clear fault when nobody else is known (B.13).
TEST_F(Service, BootstrapPeerNeverTheCaller)
{
    auto caller = enrol();
    EXPECT_EQ(kind_of([&] { service->bootstrap_peer(caller.prefix); }), RequestError::Kind::failed);
    service->declare(caller.ip, "192.0.2.1,1194,udp", caller.ip);
    EXPECT_EQ(kind_of([&] { service->bootstrap_peer(caller.prefix); }), RequestError::Kind::failed);
}

// A caller gets a peer it can reach over its own family when one is known:
// its family is that of the request's source address.
TEST_F(Service, BootstrapPeerOfTheCallersFamily)
{
    auto caller = enrol();
    auto v4 = enrol();
    auto v6 = enrol();
    auto dual = enrol();
    service->declare(v4.ip, "192.0.2.4,1194,udp", v4.ip);
    service->declare(v6.ip, "2001:db8::6,1194,udp6", v6.ip);
    auto answer = [&](std::string_view source) {
        return rsa_decrypt(caller.key, service->bootstrap_peer(caller.prefix, source));
    };
    for (int round = 0; round < 20; ++round) {
        EXPECT_EQ(answer("2001:db8:1::2"), v6.prefix + " 2001:db8::6,1194,udp6");
        EXPECT_EQ(answer("198.51.100.2"), v4.prefix + " 192.0.2.4,1194,udp");
        EXPECT_EQ(answer("::ffff:198.51.100.2"), v4.prefix + " 192.0.2.4,1194,udp");
    }
    // --bootstrap peers first, of the caller's family first.
    service->declare(dual.ip, "192.0.2.5,1194,udp;2001:db8::5,1194,udp6", dual.ip);
    settings.bootstrap = {v4.prefix, dual.prefix};
    make();
    std::set<std::string> seen_v4;
    for (int round = 0; round < 30; ++round) {
        EXPECT_TRUE(answer("2001:db8:1::2").starts_with(dual.prefix + " "));
        seen_v4.insert(answer("198.51.100.2").substr(0, 16));
    }
    EXPECT_EQ(seen_v4, (std::set<std::string>{v4.prefix, dual.prefix}));
    // No peer of the family: any, rather than none.
    settings.bootstrap = {v4.prefix};
    make();
    service->declare(v6.ip, "192.0.2.6,1194,udp", v6.ip);
    service->declare(dual.ip, "192.0.2.5,1194,udp", dual.ip);
    EXPECT_TRUE(answer("2001:db8:1::2").starts_with(v4.prefix + " "));
}

TEST_F(Service, BootstrapPeerChecksThePrefix)
{
    enrol();
    for (const std::string& prefix :
         std::vector<std::string>{"", "012", "0000000000000111", std::string(80, '0')})
        EXPECT_EQ(kind_of([&] { service->bootstrap_peer(prefix); }), RequestError::Kind::invalid)
            << prefix;
}

// --bootstrap peers come first when known; otherwise any peer.
TEST_F(Service, BootstrapPreference)
{
    std::vector<Enrolled> nodes;
    for (int i = 0; i < 4; ++i) {
        nodes.push_back(enrol());
        if (i)
            service->declare(nodes.back().ip, "192.0.2." + std::to_string(i) + ",1194,udp",
                             nodes.back().ip);
    }
    settings.bootstrap = {nodes[2].prefix, "1111111111111111", nodes[0].prefix};
    make();
    for (int round = 0; round < 10; ++round)
        EXPECT_TRUE(rsa_decrypt(nodes[0].key, service->bootstrap_peer(nodes[0].prefix))
                        .starts_with(nodes[2].prefix + " "));
    // For node 2 itself, the only other bootstrap peer (node 0) never
    // declared: a random peer, never node 2.
    std::set<std::string> seen;
    for (int round = 0; round < 30; ++round)
        seen.insert(rsa_decrypt(nodes[2].key, service->bootstrap_peer(nodes[2].prefix)).substr(0, 16));
    EXPECT_EQ(seen, (std::set<std::string>{nodes[1].prefix, nodes[3].prefix}));
}
