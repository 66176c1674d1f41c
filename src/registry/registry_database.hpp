// The registry's SQLite file: the three tables of the original, so
// that an operator's knowledge and tools carry over, opened in WAL mode, and
// upgraded in place when an older re6st-registry made it.
#pragma once

#include "common/sqlite.hpp"

#include <string>

namespace re6st::registry {

// How much a commit must survive. Certificates and tokens must survive a power
// failure (a lost allocation could hand a prefix out twice); the peer list is
// soft state that nodes re-declare every hour.
enum class Durability { power_loss, crash };

// The version of the tables, in PRAGMA user_version. 0: re6st-registry
// 0.1.0's, which wrote none (the original's tables and the index vpn_free).
// 1: vpn.expires, the certificate's notAfter in seconds since the epoch
// (NULL in free rows), and its index vpn_expires. 2: the table
// network_config, one row of the version and the parameter lines of the
// network configuration last served. 3: the table revoked, one row per
// revoked certificate until it would have expired (revocation_list.hpp), and
// network_config.network, the network's prefix, for the administration
// commands, which have no CA at hand. 4: the table certificates, one row per
// certificate issued, current or superseded by a renewal, until it expires
// (issued_certificates.hpp). 5: the table tunnel_reports, per node the
// peers it last said it has tunnels to and when (tunnel_report.hpp).
inline constexpr int schema_version = 5;

// Opens a connection to the registry database at `path` (created if missing),
// creates the tables when absent, upgrades an older schema in one
// transaction, and adds the root of the prefix tree when the vpn table is
// empty. Every connection of the process opens the file this way. A schema
// newer than schema_version is refused (std::runtime_error).
sqlite::Database open_registry_database(const std::string& path, Durability durability);

}  // namespace re6st::registry
