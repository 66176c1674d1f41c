// The registry's SQLite file: the three tables of the original, so
// that an operator's knowledge and tools carry over, opened in WAL mode.
#pragma once

#include "common/sqlite.hpp"

#include <string>

namespace re6st::registry {

// How much a commit must survive. Certificates and tokens must survive a power
// failure (a lost allocation could hand a prefix out twice); the peer list is
// soft state that nodes re-declare every hour.
enum class Durability { power_loss, crash };

// Opens a connection to the registry database at `path` (created if missing),
// creates the tables when absent and the root of the prefix tree when the vpn
// table is new. Every connection of the process opens the file this way.
sqlite::Database open_registry_database(const std::string& path, Durability durability);

}  // namespace re6st::registry
