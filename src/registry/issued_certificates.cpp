// The certificates the registry issued.
#include "registry/issued_certificates.hpp"

namespace re6st::registry {

namespace {

IssuedCertificate issued_certificate_of(const sqlite::Row& row)
{
    return {row.get<std::string>(0), row.get<std::string>(1), row.get<std::int64_t>(2),
            row.get<std::int64_t>(3)};
}

}  // namespace

IssuedCertificates::IssuedCertificates(sqlite::Database& db)
    : insert_(db.prepare("INSERT INTO certificates (serial, cn, expires, date) VALUES (?, ?, ?, ?)")),
      find_(db.prepare("SELECT serial, cn, expires, date FROM certificates WHERE serial = ?")),
      of_(db.prepare("SELECT serial, cn, expires, date FROM certificates WHERE cn = ?"
                     " ORDER BY expires, serial")),
      forget_(db.prepare("DELETE FROM certificates WHERE cn = ?")),
      purge_(db.prepare("DELETE FROM certificates WHERE serial IN (SELECT serial FROM certificates"
                        " WHERE expires < ? ORDER BY expires LIMIT ?)"))
{
}

void IssuedCertificates::record(const IssuedCertificate& c)
{
    insert_.execute(c.serial, c.cn, c.expires, c.date);
}

std::optional<IssuedCertificate> IssuedCertificates::find(const std::string& serial)
{
    auto rows = find_.query(serial);
    if (!rows.next())
        return std::nullopt;
    return issued_certificate_of(rows.row());
}

std::vector<IssuedCertificate> IssuedCertificates::of(const std::string& cn)
{
    std::vector<IssuedCertificate> certificates;
    auto rows = of_.query(cn);
    while (rows.next())
        certificates.push_back(issued_certificate_of(rows.row()));
    return certificates;
}

int IssuedCertificates::forget(const std::string& cn) { return forget_.execute(cn); }

int IssuedCertificates::purge(std::int64_t now, std::size_t limit)
{
    return purge_.execute(now, std::int64_t(limit));
}

}  // namespace re6st::registry
