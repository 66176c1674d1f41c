// The network configuration the registry serves: its version, which only
// grows and is kept in the database, and its answer, signed by the CA once
// at start so that a call costs no signature and no database access.
#pragma once

#include "common/certificate_authority.hpp"
#include "common/network_parameters.hpp"
#include "common/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re6st::registry {

// What the database keeps of the configuration last served.
struct StoredNetworkConfig {
    std::int64_t version = 0;
    std::string parameters;   // the document's parameter lines
    bool operator==(const StoredNetworkConfig&) const = default;
};

// The parameter lines of the canonical document (those after its version
// line, the revoked serials' among them), which decide whether the
// configuration changed.
std::string network_parameter_lines(const NetworkParameters& parameters,
                                    const std::vector<std::string>& revoked = {});

// The version of `parameters` (as lines) given what is stored: the stored
// version while the lines are the same, else max(stored version + 1, now),
// now in seconds since the epoch. Versions thus only grow, even after the
// database is lost, as long as the clock does not go back.
std::int64_t next_network_config_version(const std::optional<StoredNetworkConfig>& stored,
                                         std::string_view parameters, std::int64_t now);

std::optional<StoredNetworkConfig> load_network_config(sqlite::Database& db);

// Gives `parameters` and `revoked` (sorted serials) their version and stores
// them, in one transaction.
NetworkConfig record_network_config(sqlite::Database& db, const NetworkParameters& parameters,
                                    std::int64_t now,
                                    const std::vector<std::string>& revoked = {});

// The document of `config` followed by its signature line (see
// split_signed_network_config).
std::string sign_network_config(const NetworkConfig& config, const CertificateAuthority& ca);

// "version V: name value, name value...", for the log.
std::string describe_network_config(const NetworkConfig& config);

}  // namespace re6st::registry
