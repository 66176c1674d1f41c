// The registry's network configuration: versions and the signed answer.
#include "registry/network_config.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace re6st::registry {

namespace {

std::string base64(std::string_view bytes)
{
    // 4 characters for each 3 bytes, and the NUL EVP_EncodeBlock adds.
    std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                 reinterpret_cast<const unsigned char*>(bytes.data()),
                                 int(bytes.size()));
    text.resize(std::size_t(length));
    return text;
}

}  // namespace

std::string network_parameter_lines(const NetworkParameters& parameters,
                                    const std::vector<std::string>& revoked)
{
    auto document = encode_network_config(0, parameters, revoked);
    // After the format line and the version line.
    return document.substr(document.find('\n', document.find('\n') + 1) + 1);
}

std::int64_t next_network_config_version(const std::optional<StoredNetworkConfig>& stored,
                                         std::string_view parameters, std::int64_t now)
{
    if (!stored)
        return now;
    if (stored->parameters == parameters)
        return stored->version;
    return std::max(stored->version + 1, now);
}

std::optional<StoredNetworkConfig> load_network_config(sqlite::Database& db)
{
    auto row = db.prepare("SELECT version, parameters FROM network_config WHERE id = 0")
                   .query_row<std::int64_t, std::string>();
    if (!row)
        return std::nullopt;
    return StoredNetworkConfig{std::get<0>(*row), std::get<1>(*row)};
}

NetworkConfig record_network_config(sqlite::Database& db, const NetworkParameters& parameters,
                                    std::int64_t now, const std::vector<std::string>& revoked)
{
    auto lines = network_parameter_lines(parameters, revoked);
    sqlite::Transaction transaction(db);
    auto stored = load_network_config(db);
    auto version = next_network_config_version(stored, lines, now);
    if (!stored || stored->version != version)
        // An upsert, which keeps the row's network.
        db.execute("INSERT INTO network_config (id, version, parameters) VALUES (0, ?, ?)"
                   " ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
                   " parameters = excluded.parameters",
                   version, lines);
    transaction.commit();
    return {version, parameters, revoked};
}

std::string sign_network_config(const NetworkConfig& config, const CertificateAuthority& ca)
{
    auto document = encode_network_config(config.version, config.parameters, config.revoked);
    return document + "signature " + base64(ca.sign_data(document)) + "\n";
}

std::string describe_network_config(const NetworkConfig& config)
{
    auto lines = network_parameter_lines(config.parameters, config.revoked);
    std::string text = "version " + std::to_string(config.version) + ":";
    for (std::size_t start = 0; start < lines.size();) {
        auto end = lines.find('\n', start);
        text += (start == 0 ? " " : ", ") + lines.substr(start, end - start);
        start = end + 1;
    }
    return text;
}

}  // namespace re6st::registry
