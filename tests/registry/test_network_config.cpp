// The network configuration the registry serves: versions that only grow
// and survive restarts, the answer signed by the CA as `openssl dgst
// -verify` checks it, and "unchanged" for a caller that is up to date.
#include "registry/network_config.hpp"

#include "service_fixture.hpp"
#include "support/openssl_cli.hpp"

#include <openssl/evp.h>

using namespace re6st;
using namespace re6st::registry;
using namespace re6st::test;
using namespace std::chrono_literals;

namespace {

const std::string default_lines =
    "config-refresh 60\nconnection-count 20\nhello 15\nmax-clients 10\nrefresh-count 1\n"
    "tunnel-hello 0.2\ntunnel-ping 1\ntunnel-refresh 300\ntunnel-tcp-timeout 15\n"
    "tunnel-timeout 3\n";

NetworkParameters with_connection_count(unsigned count)
{
    NetworkParameters over;
    over.connection_count = count;
    return merge_network_parameters(over, {});
}

std::string decoded_base64(const std::string& text)
{
    std::string bytes(text.size(), '\0');
    int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                 reinterpret_cast<const unsigned char*>(text.data()),
                                 int(text.size()));
    EXPECT_GE(length, 0) << text;
    // EVP_DecodeBlock counts the padding as zero bytes.
    auto padding = text.size() - text.find_last_not_of('=') - 1;
    bytes.resize(std::size_t(std::max(length, 0)) - padding);
    return bytes;
}

// Whether `openssl dgst -sha256 -verify` accepts `signature` of `document`
// with the public key of the CA certificate `ca_path`.
bool openssl_verifies(const TempDir& dir, const std::string& ca_path,
                      const std::string& document, const std::string& signature)
{
    auto key = dir.write("ca-pub.pem", openssl_tool({"x509", "-pubkey", "-noout", "-in", ca_path}));
    auto data = dir.write("document", document);
    auto sig = dir.write("signature", signature);
    return run_openssl({"dgst", "-sha256", "-verify", key, "-signature", sig, data}).exit_status
           == 0;
}

}  // namespace

TEST(NetworkConfigVersion, GrowsOnlyWhenTheParametersChange)
{
    const std::int64_t now = 1'800'000'000;
    struct Case {
        const char* what;
        std::optional<StoredNetworkConfig> stored;
        const char* lines;
        std::int64_t expected;
    };
    const Case cases[] = {
        {"nothing stored: the clock", std::nullopt, "hello 15\n", now},
        {"same lines: same version", StoredNetworkConfig{1'700'000'000, "hello 15\n"},
         "hello 15\n", 1'700'000'000},
        {"same lines, version ahead of the clock",
         StoredNetworkConfig{now + 50, "hello 15\n"}, "hello 15\n", now + 50},
        {"other lines: the clock", StoredNetworkConfig{1'700'000'000, "hello 15\n"},
         "hello 16\n", now},
        {"other lines, clock behind: one more", StoredNetworkConfig{now + 50, "hello 15\n"},
         "hello 16\n", now + 51},
        {"other lines, same second: one more", StoredNetworkConfig{now, "hello 15\n"},
         "hello 16\n", now + 1},
    };
    for (const auto& c : cases)
        EXPECT_EQ(next_network_config_version(c.stored, c.lines, now), c.expected) << c.what;
}

TEST(NetworkConfigVersion, ParameterLinesAreTheDocumentsAfterItsVersion)
{
    EXPECT_EQ(network_parameter_lines(merge_network_parameters({}, {})), default_lines);
    EXPECT_EQ(network_parameter_lines({}), "");
    EXPECT_EQ(describe_network_config({7, with_connection_count(6)}),
              "version 7: config-refresh 60, connection-count 6, hello 15, max-clients 3, "
              "refresh-count 1, tunnel-hello 0.2, tunnel-ping 1, tunnel-refresh 300, "
              "tunnel-tcp-timeout 15, tunnel-timeout 3");
}

TEST(NetworkConfigVersion, RecordedInTheDatabase)
{
    TempDir dir;
    auto path = dir / "registry.db";
    const std::int64_t t0 = 1'800'000'000;
    {
        auto db = open_registry_database(path, Durability::power_loss);
        EXPECT_FALSE(load_network_config(db));
        auto config = record_network_config(db, with_connection_count(20), t0);
        EXPECT_EQ(config, (NetworkConfig{t0, with_connection_count(20)}));
        EXPECT_EQ(load_network_config(db), (StoredNetworkConfig{t0, default_lines}));
    }
    // Another start, later, with the same parameters: the same version.
    auto db = open_registry_database(path, Durability::power_loss);
    EXPECT_EQ(record_network_config(db, with_connection_count(20), t0 + 100).version, t0);
    // Changed: the clock.
    EXPECT_EQ(record_network_config(db, with_connection_count(6), t0 + 200).version, t0 + 200);
    // Changed back, the clock stepped back: still higher.
    EXPECT_EQ(record_network_config(db, with_connection_count(20), t0 - 5000).version, t0 + 201);
    auto stored = load_network_config(db);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->version, t0 + 201);
    EXPECT_EQ(stored->parameters, default_lines);
    EXPECT_EQ(db.prepare("SELECT count(*) FROM network_config").query_value<std::int64_t>(), 1);
}

namespace {

class NetworkConfigService : public ServiceFixture {
protected:
    SignedNetworkConfig answer(const std::optional<std::string>& known = std::nullopt)
    {
        return split_signed_network_config(std::string(service->network_config_answer(known)));
    }
};

}  // namespace

TEST_F(NetworkConfigService, AnswersTheSignedConfiguration)
{
    auto signed_config = answer();
    auto config = parse_network_config(signed_config.document);
    EXPECT_EQ(config.version, t0);   // a fresh database: the clock
    EXPECT_EQ(config.parameters, merge_network_parameters({}, {}));
    EXPECT_EQ(signed_config.document, encode_network_config(t0, config.parameters));
    EXPECT_EQ(service->network_config(), config);

    auto signature = decoded_base64(signed_config.signature_base64);
    EXPECT_EQ(signature.size(), 256u);   // the test CA's 2048-bit RSA key
    EXPECT_TRUE(openssl_verifies(dir, ca.certificate_path, signed_config.document, signature));
}

TEST_F(NetworkConfigService, UnchangedForTheCurrentVersionOnly)
{
    auto current = std::to_string(t0);
    EXPECT_EQ(service->network_config_answer(current), "unchanged");
    auto full = std::string(service->network_config_answer(std::nullopt));
    for (const std::string& other :
         {std::to_string(t0 - 1), std::to_string(t0 + 1), std::string(), "0" + current,
          current + " ", std::string("unchanged"), std::string("-1")})
        EXPECT_EQ(service->network_config_answer(other), full) << other;
}

TEST_F(NetworkConfigService, SignatureRefusedForAnotherDocumentOrAnotherCa)
{
    auto signed_config = answer();
    auto signature = decoded_base64(signed_config.signature_base64);
    ASSERT_TRUE(openssl_verifies(dir, ca.certificate_path, signed_config.document, signature));

    // One flipped bit anywhere in the document, or in the signature.
    for (std::size_t at : {std::size_t(0), signed_config.document.find("connection-count 20") + 17,
                           signed_config.document.size() - 2}) {
        auto flipped = signed_config.document;
        flipped[at] ^= 1;
        EXPECT_FALSE(openssl_verifies(dir, ca.certificate_path, flipped, signature)) << at;
    }
    auto bad_signature = signature;
    bad_signature[100] ^= 0x80;
    EXPECT_FALSE(openssl_verifies(dir, ca.certificate_path, signed_config.document, bad_signature));

    // A CA of the same network with another key.
    openssl_rsa_key(dir / "other.key");
    openssl_ca(dir / "other.key", dir / "other.crt");
    EXPECT_FALSE(openssl_verifies(dir, dir / "other.crt", signed_config.document, signature));
}

TEST_F(NetworkConfigService, VersionGrowsAcrossARestartWhenTheParametersChange)
{
    auto first = service->network_config().version;
    EXPECT_EQ(first, t0);

    // Restarted later with the same parameters: the same version, so that
    // nodes keep answering "unchanged".
    now = t0 + 3600;
    make();
    EXPECT_EQ(service->network_config().version, first);
    EXPECT_EQ(service->network_config_answer(std::to_string(first)), "unchanged");

    // Restarted with --connection-count 6: a new version, which the old one
    // no longer matches.
    now = t0 + 7200;
    settings.network_parameters = with_connection_count(6);
    make();
    EXPECT_EQ(service->network_config().version, t0 + 7200);
    auto config = parse_network_config(answer(std::to_string(first)).document);
    EXPECT_EQ(config.version, t0 + 7200);
    EXPECT_EQ(config.parameters.connection_count, 6u);
    EXPECT_EQ(config.parameters.max_clients, 3u);

    // Restarted again with the clock set back: versions still grow.
    now = t0;
    settings.network_parameters = with_connection_count(20);
    make();
    EXPECT_EQ(service->network_config().version, t0 + 7201);
}

TEST_F(NetworkConfigService, OutOfRangeParametersAreRefused)
{
    settings.network_parameters.tunnel_ping = 5s;   // not shorter than tunnel-timeout (3 s)
    EXPECT_THROW(make(), std::invalid_argument);
}
