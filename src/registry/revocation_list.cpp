// The revoked certificates.
#include "registry/revocation_list.hpp"

namespace re6st::registry {

namespace {

Revocation revocation_of(const sqlite::Row& row)
{
    return {row.get<std::string>(0), row.get<std::string>(1), row.get<std::int64_t>(2),
            row.get<std::int64_t>(3)};
}

}  // namespace

RevocationList::RevocationList(sqlite::Database& db)
    : insert_(db.prepare("INSERT OR IGNORE INTO revoked (serial, cn, expires, date)"
                         " VALUES (?, ?, ?, ?)")),
      find_(db.prepare("SELECT serial, cn, expires, date FROM revoked WHERE serial = ?")),
      // BINARY collation: byte order.
      all_(db.prepare("SELECT serial, cn, expires, date FROM revoked ORDER BY serial")),
      purge_(db.prepare("DELETE FROM revoked WHERE expires < ?"))
{
}

bool RevocationList::add(const Revocation& r)
{
    return insert_.execute(r.serial, r.cn, r.expires, r.date) == 1;
}

std::optional<Revocation> RevocationList::find(const std::string& serial)
{
    auto rows = find_.query(serial);
    if (!rows.next())
        return std::nullopt;
    return revocation_of(rows.row());
}

std::vector<Revocation> RevocationList::all()
{
    std::vector<Revocation> revocations;
    auto rows = all_.query();
    while (rows.next())
        revocations.push_back(revocation_of(rows.row()));
    return revocations;
}

int RevocationList::purge(std::int64_t now) { return purge_.execute(now); }

}  // namespace re6st::registry
