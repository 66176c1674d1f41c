// Revocation as the running registry sees it: re6st-registry revoke writes
// the database through a connection of its own, and from that commit the
// service refuses the node, never hands it out, frees its prefix for a new
// enrolment, signs a new network configuration with the serial, and forgets
// the serial once its certificate has expired.
#include "common/certificate_request.hpp"
#include "common/certificate_serial.hpp"
#include "common/log.hpp"
#include "common/rsa_cipher.hpp"
#include "common/utc_time.hpp"
#include "registry/administration.hpp"
#include "registry/maintenance.hpp"
#include "service_fixture.hpp"
#include "vpn_rows.hpp"

#include <algorithm>

using namespace re6st;
using namespace re6st::registry;
using namespace re6st::test;
using namespace std::chrono_literals;

namespace {

class Revoked : public ServiceFixture {
protected:
    std::vector<std::string> warnings;

    void SetUp() override
    {
        ServiceFixture::SetUp();
        log::set_sink([this](log::Level level, std::string_view line) {
            if (level == log::Level::warning)
                warnings.emplace_back(line);
        });
    }
    void TearDown() override { log::set_sink({}); }

    // As re6st-registry revoke does it: another connection, another commit.
    RevokeResult revoke(const std::string& target)
    {
        auto admin = open_registry_database(dir / "registry.db", Durability::power_loss);
        return registry::revoke(admin, target, now);
    }

    std::string serial_of(const Enrolled& node)
    {
        return serial_text(Certificate::from_pem(node.certificate).serial());
    }

    std::string renewal_csr(const Enrolled& node)
    {
        return CertificateRequest::create(node.key,
                                          {{"O", "re6st-test"}, {"CN", cn_from_bits(node.prefix)}})
            .to_pem();
    }

    std::string refusal(const std::function<void()>& call)
    {
        try {
            call();
        } catch (const RequestError& error) {
            EXPECT_EQ(error.kind(), RequestError::Kind::refused) << error.what();
            return error.what();
        }
        return "accepted";
    }

    std::int64_t rows(const char* sql)
    {
        return enrolment_db.prepare(sql).query_value<std::int64_t>().value_or(-1);
    }
};


}  // namespace

TEST_F(Revoked, ByCnRecordsTheSerialDropsThePeerAndFreesThePrefix)
{
    auto node = enrol();
    ASSERT_TRUE(service->declare(node.ip, "192.0.2.1,1194,udp", node.ip));
    auto result = revoke(cn_from_bits(node.prefix));
    EXPECT_FALSE(result.already);
    ASSERT_EQ(result.revocations.size(), 1u);
    EXPECT_EQ(result.revocations[0].serial, serial_of(node));
    EXPECT_EQ(result.revocations[0].cn, cn_from_bits(node.prefix));
    EXPECT_EQ(result.revocations[0].expires, Certificate::from_pem(node.certificate).not_after());
    EXPECT_EQ(result.revocations[0].date, now);
    EXPECT_EQ(rows("SELECT count(*) FROM revoked"), 1);
    EXPECT_EQ(rows("SELECT count(*) FROM peers"), 0);
    EXPECT_EQ(rows("SELECT count(*) FROM vpn WHERE cert IS NOT NULL"), 0);
    EXPECT_EQ(rows("SELECT count(*) FROM vpn"), 1);   // back to the root
}

TEST_F(Revoked, BySerialAnyCaseLeadingZerosOrNot)
{
    auto node = enrol();
    auto other = enrol();
    auto typed = serial_of(node);
    for (auto& c : typed)
        c = char(std::tolower(c));
    auto result = revoke("000" + typed);
    ASSERT_EQ(result.revocations.size(), 1u);
    EXPECT_EQ(result.revocations[0].serial, serial_of(node));
    EXPECT_EQ(result.revocations[0].cn, cn_from_bits(node.prefix));
    EXPECT_EQ(rows("SELECT count(*) FROM vpn WHERE cert IS NOT NULL"), 1);
    // Again: nothing changes.
    auto again = revoke(serial_of(node));
    EXPECT_TRUE(again.already);
    EXPECT_EQ(again.revocations, result.revocations);
}

TEST_F(Revoked, NoSuchNodeOrCertificate)
{
    auto node = enrol();
    EXPECT_THROW(revoke("1/16"), NotFound);
    EXPECT_THROW(revoke("0123456789"), NotFound);
    revoke(cn_from_bits(node.prefix));
    EXPECT_THROW(revoke(cn_from_bits(node.prefix)), NotFound);   // its prefix is free now
}

TEST_F(Revoked, DeclarePeerListAndRenewalRefusedWithOneLogLineEach)
{
    auto node = enrol();
    auto other = enrol();
    ASSERT_TRUE(service->declare(node.ip, "192.0.2.1,1194,udp", node.ip));
    revoke(cn_from_bits(node.prefix));
    warnings.clear();
    auto cn = cn_from_bits(node.prefix);
    auto expected = "the certificate of " + cn + " was revoked";
    EXPECT_EQ(refusal([&] { service->declare(node.ip, "192.0.2.1,1194,udp", node.ip); }),
              expected);
    EXPECT_EQ(refusal([&] { peer_list(10, node.ip); }), expected);
    EXPECT_EQ(refusal([&] { service->renew_certificate(renewal_csr(node)); }), expected);
    EXPECT_EQ(refusal([&] { service->bootstrap_peer(node.prefix); }), expected);
    ASSERT_EQ(warnings.size(), 4u);
    for (auto method : {"declare", "getPeerList", "renewCertificate", "getBootstrapPeer"})
        EXPECT_TRUE(std::ranges::any_of(warnings, [&](const std::string& line) {
            return line == std::string(method) + ": refused " + cn + ": its certificate "
                               + serial_of(node) + " was revoked on " + utc_time(now);
        })) << method;
    // The others go on.
    EXPECT_TRUE(service->declare(other.ip, "192.0.2.2,1194,udp", other.ip));
}

TEST_F(Revoked, NeverInPeerListsOrBootstrapFromTheCommitOn)
{
    auto node = enrol();
    auto caller = enrol();
    auto third = enrol();
    for (const auto* n : {&node, &caller, &third})
        ASSERT_TRUE(service->declare(n->ip, "192.0.2.1,1194,udp", n->ip));
    ASSERT_EQ(peer_list(10, caller.ip).size(), 2u);
    revoke(cn_from_bits(node.prefix));
    // No call in between: the very next one sees it.
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(peer_list(10, caller.ip), std::vector<std::string>{third.prefix});
        auto sealed = service->bootstrap_peer(caller.prefix);
        EXPECT_EQ(rsa_decrypt(caller.key, sealed), third.prefix + " 192.0.2.1,1194,udp");
    }
    EXPECT_FALSE(peers.find(node.prefix));
}

TEST_F(Revoked, ThePrefixGoesToANewNodeAndTheRevokedCertificateStaysRefused)
{
    settings.prefix_length = 1;   // two nodes fill the network
    make();
    auto node = enrol();
    auto other = enrol();
    EXPECT_EQ(kind_of([&] { enrol(); }), RequestError::Kind::failed);   // full
    revoke(cn_from_bits(node.prefix));
    auto successor = enrol();
    EXPECT_EQ(successor.prefix, node.prefix);
    EXPECT_NE(serial_of(successor), serial_of(node));
    EXPECT_TRUE(service->declare(successor.ip, "192.0.2.3,1194,udp", successor.ip));
    EXPECT_EQ(peer_list(10, other.ip), std::vector<std::string>{successor.prefix});
    // The revoked node's key renews nothing, and its serial is still signed out.
    EXPECT_EQ(kind_of([&] { service->renew_certificate(renewal_csr(node)); }),
              RequestError::Kind::invalid);
    auto config = parse_network_config(
        split_signed_network_config(service->network_config_answer(std::nullopt)).document);
    EXPECT_EQ(config.revoked, std::vector<std::string>{serial_of(node)});
}

TEST_F(Revoked, SignedConfigurationCarriesTheSerialsWithANewVersion)
{
    auto a = enrol();
    auto b = enrol();
    auto first = service->network_config();
    EXPECT_TRUE(first.revoked.empty());
    auto first_version = std::to_string(first.version);
    EXPECT_EQ(service->network_config_answer(first_version), "unchanged");

    now += 10;
    revoke(cn_from_bits(a.prefix));
    revoke(serial_of(b));
    auto answer = service->network_config_answer(first_version);
    ASSERT_NE(answer, "unchanged");
    auto config = parse_network_config(split_signed_network_config(answer).document);
    auto expected = std::vector<std::string>{serial_of(a), serial_of(b)};
    std::ranges::sort(expected);
    EXPECT_EQ(config.revoked, expected);
    EXPECT_GT(config.version, first.version);
    EXPECT_EQ(config.parameters, first.parameters);
    // Signed once: the new version is current, and the same answer comes back.
    EXPECT_EQ(service->network_config_answer(std::to_string(config.version)), "unchanged");
    EXPECT_EQ(service->network_config_answer(first_version), answer);
    // A restarted registry serves the same version.
    make();
    EXPECT_EQ(service->network_config().version, config.version);
}

TEST_F(Revoked, MaintenanceForgetsTheSerialOnceItsCertificateExpired)
{
    auto node = enrol();
    revoke(cn_from_bits(node.prefix));
    auto revoked_version = service->network_config().version;
    ASSERT_EQ(service->network_config().revoked.size(), 1u);
    boost::asio::io_context io;
    auto expires = Certificate::from_pem(node.certificate).not_after();
    Maintenance maintenance(io, *service, ca.authority().certificate(), 100, [this] { return now; });
    now = expires;   // not yet past its end
    EXPECT_EQ(maintenance.run().revocations, 0);
    EXPECT_EQ(rows("SELECT count(*) FROM revoked"), 1);
    now = expires + 1;
    EXPECT_EQ(maintenance.run().revocations, 1);
    EXPECT_EQ(rows("SELECT count(*) FROM revoked"), 0);
    auto config = service->network_config();
    EXPECT_TRUE(config.revoked.empty());
    EXPECT_GT(config.version, revoked_version);
}

// Each refused call as the first one after the revocation: each takes the
// revocation in itself (the renewal outside its transaction).
TEST_F(Revoked, EachCallNoticesTheRevocationItself)
{
    auto cn_of = [](const Enrolled& node) { return cn_from_bits(node.prefix); };
    const std::vector<std::pair<const char*, std::function<void(const Enrolled&)>>> calls = {
        {"renewCertificate", [&](const Enrolled& n) { service->renew_certificate(renewal_csr(n)); }},
        {"declare", [&](const Enrolled& n) { service->declare(n.ip, "192.0.2.1,1194,udp", n.ip); }},
        {"getPeerList", [&](const Enrolled& n) { peer_list(10, n.ip); }},
        {"getBootstrapPeer", [&](const Enrolled& n) { service->bootstrap_peer(n.prefix); }},
    };
    for (const auto& [method, call] : calls) {
        auto node = enrol();
        ASSERT_TRUE(service->declare(node.ip, "192.0.2.1,1194,udp", node.ip));
        revoke(cn_of(node));
        EXPECT_EQ(refusal([&, &call = call] { call(node); }),
                  "the certificate of " + cn_of(node) + " was revoked")
            << method;
        EXPECT_FALSE(peers.find(node.prefix)) << method;
    }
}

// --- certificates that renewals superseded ---

namespace {

// A node enrolled, then renewed twice a day apart: its three certificates,
// the current one last.
class Renewed : public Revoked {
protected:
    std::optional<Enrolled> renewed;   // set up
    std::vector<std::string> serials;   // earliest first
    std::vector<std::int64_t> ends;

    void SetUp() override
    {
        Revoked::SetUp();
        renewed = enrol();
        add(renewed->certificate);
        for (int i = 0; i < 2; ++i) {
            now += 86400;
            add(service->renew_certificate(renewal_csr(*renewed)));
        }
    }

    void add(const std::string& pem)
    {
        auto cert = Certificate::from_pem(pem);
        serials.push_back(serial_text(cert.serial()));
        ends.push_back(cert.not_after());
    }

    std::vector<std::string> signed_revoked()
    {
        return parse_network_config(
                   split_signed_network_config(service->network_config_answer(std::nullopt))
                       .document)
            .revoked;
    }
};

std::vector<std::string> sorted(std::vector<std::string> serials)
{
    std::ranges::sort(serials);
    return serials;
}

}  // namespace

// Each certificate has the node's key: any of them would open a tunnel.
TEST_F(Renewed, ByCnEveryUnexpiredCertificateOfTheNode)
{
    const auto& node = *renewed;
    auto other = enrol();
    ASSERT_TRUE(service->declare(node.ip, "192.0.2.1,1194,udp", node.ip));
    auto cn = cn_from_bits(node.prefix);
    auto result = revoke(cn);
    EXPECT_FALSE(result.already);
    std::vector<Revocation> expected;
    for (std::size_t i = 0; i < 3; ++i)
        expected.push_back({serials[i], cn, ends[i], now});
    EXPECT_EQ(result.revocations, expected);
    EXPECT_EQ(rows("SELECT count(*) FROM revoked"), 3);
    EXPECT_EQ(rows("SELECT count(*) FROM peers"), 0);
    EXPECT_FALSE(enrolment_db.prepare("SELECT cert FROM vpn WHERE prefix = ?")
                     .query_value<std::optional<std::string>>(node.prefix)
                     .value());   // freed

    // Every node is told all three, and refuses each at the handshake.
    EXPECT_EQ(signed_revoked(), sorted(serials));
    // The registry refuses the node, naming its last certificate.
    warnings.clear();
    auto refused = "the certificate of " + cn + " was revoked";
    EXPECT_EQ(refusal([&] { service->declare(node.ip, "192.0.2.1,1194,udp", node.ip); }), refused);
    EXPECT_EQ(refusal([&] { peer_list(10, node.ip); }), refused);
    EXPECT_EQ(refusal([&] { service->renew_certificate(renewal_csr(node)); }), refused);
    EXPECT_EQ(refusal([&] { service->bootstrap_peer(node.prefix); }), refused);
    ASSERT_EQ(warnings.size(), 4u);
    for (const auto& line : warnings)
        EXPECT_TRUE(line.ends_with(": refused " + cn + ": its certificate " + serials[2]
                                   + " was revoked on " + utc_time(now)))
            << line;
    EXPECT_TRUE(service->declare(other.ip, "192.0.2.2,1194,udp", other.ip));

    // Nothing is left to revoke.
    for (const auto& serial : serials) {
        auto again = revoke(serial);
        EXPECT_TRUE(again.already);
        EXPECT_EQ(again.revocations.size(), 1u);
        EXPECT_EQ(again.revocations[0].serial, serial);
    }
    EXPECT_THROW(revoke(cn), NotFound);
}

// An old certificate alone: the node keeps its prefix, its peers row and
// its current certificate, which it may still renew; every node refuses the
// old one.
TEST_F(Renewed, ASupersededSerialAloneLeavesTheNodeAsItIs)
{
    const auto& node = *renewed;
    auto other = enrol();
    ASSERT_TRUE(service->declare(other.ip, "192.0.2.2,1194,udp", other.ip));
    ASSERT_TRUE(service->declare(node.ip, "192.0.2.1,1194,udp", node.ip));
    auto before = vpn_rows(enrolment_db);
    auto cn = cn_from_bits(node.prefix);
    auto typed = serials[0];
    std::ranges::transform(typed, typed.begin(), [](char c) { return char(std::tolower(c)); });
    auto result = revoke("00" + typed);
    EXPECT_FALSE(result.already);
    EXPECT_EQ(result.revocations, (std::vector<Revocation>{{serials[0], cn, ends[0], now}}));
    EXPECT_EQ(vpn_rows(enrolment_db), before);
    EXPECT_TRUE(peers.find(node.prefix));
    EXPECT_EQ(signed_revoked(), std::vector<std::string>{serials[0]});

    warnings.clear();
    EXPECT_TRUE(service->declare(node.ip, "192.0.2.1,1194,udp", node.ip));
    EXPECT_TRUE(peers.find(node.prefix));   // the registry took the revocation in
    EXPECT_NO_THROW(peer_list(10, node.ip));
    EXPECT_NO_THROW(service->bootstrap_peer(node.prefix));
    add(service->renew_certificate(renewal_csr(node)));
    EXPECT_EQ(warnings, std::vector<std::string>());

    EXPECT_TRUE(revoke(serials[0]).already);
    // Then the node: the others, the new one included, not the one already
    // revoked.
    auto rest = revoke(cn);
    EXPECT_FALSE(rest.already);
    EXPECT_EQ(rest.revocations, (std::vector<Revocation>{{serials[1], cn, ends[1], now},
                                                         {serials[2], cn, ends[2], now},
                                                         {serials[3], cn, ends[3], now}}));
    EXPECT_EQ(signed_revoked(), sorted(serials));
}

// An expired certificate is refused by every node anyway: there is nothing
// to revoke, and the configuration does not carry it.
TEST_F(Revoked, AnExpiredSupersededCertificateIsNotRevoked)
{
    settings.certificate_validity = 600s;
    make();
    auto node = enrol();
    auto first = Certificate::from_pem(node.certificate);
    now = first.not_after() + 1;   // within the grace period
    auto renewed = Certificate::from_pem(service->renew_certificate(renewal_csr(node)));
    auto cn = cn_from_bits(node.prefix);
    try {
        revoke(serial_of(node));
        ADD_FAILURE() << "revoked";
    } catch (const NotFound& error) {
        EXPECT_EQ(std::string(error.what()), "certificate " + serial_of(node) + " of " + cn
                                                 + " expired on " + utc_time(first.not_after())
                                                 + ": nothing to revoke");
    }
    auto result = revoke(cn);
    EXPECT_EQ(result.revocations,
              (std::vector<Revocation>{{serial_text(renewed.serial()), cn,
                                        std::int64_t(renewed.not_after()), now}}));
    EXPECT_EQ(rows("SELECT count(*) FROM revoked"), 1);
}

// The node's current certificate by serial is the node itself, as by CN:
// its prefix is freed, and the certificates its renewals superseded are
// revoked with it; their records go with the prefix, so that its next
// owner answers only for its own.
TEST_F(Renewed, TheCurrentSerialRevokesTheWholeNode)
{
    const auto& node = *renewed;
    auto cn = cn_from_bits(node.prefix);
    auto result = revoke(serials[2]);
    EXPECT_EQ(result.revocations, (std::vector<Revocation>{{serials[0], cn, ends[0], now},
                                                           {serials[1], cn, ends[1], now},
                                                           {serials[2], cn, ends[2], now}}));
    EXPECT_EQ(rows("SELECT count(*) FROM vpn WHERE cert IS NOT NULL"), 0);
    EXPECT_EQ(rows("SELECT count(*) FROM certificates"), 0);
    EXPECT_THROW(revoke(cn), NotFound);
    EXPECT_TRUE(revoke(serials[0]).already);
    EXPECT_EQ(signed_revoked(), sorted(serials));
}
