// The rows of the registry's `vpn` table, the leaves of its prefix tree, as
// a value to compare.
#pragma once

#include "common/sqlite.hpp"

#include <set>
#include <string>
#include <utility>

namespace re6st::test {

using VpnRows = std::set<std::pair<std::string, bool>>;   // prefix, allocated

inline VpnRows vpn_rows(sqlite::Database& db)
{
    VpnRows rows;
    auto query = db.prepare("SELECT prefix, cert IS NOT NULL FROM vpn");
    auto found = query.query();
    while (found.next())
        rows.emplace(found.row().get<std::string>(0), found.row().get<bool>(1));
    return rows;
}

}  // namespace re6st::test
