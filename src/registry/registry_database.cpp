// The registry's SQLite file.
#include "registry/registry_database.hpp"

#include "common/certificate.hpp"
#include "common/certificate_serial.hpp"
#include "common/log.hpp"
#include "common/prefix.hpp"
#include "common/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace re6st::registry {

namespace {

// The tokens table holds secrets: whoever reads a pending token can enrol in
// its owner's place. The file is created 0600 (SQLite gives its -wal and
// -shm files the mode of the database), and a file that others may read is
// made 0600, with a warning.
//
// By path only, never through a descriptor of our own once the file exists:
// closing any descriptor of a database file drops every POSIX lock this
// process holds on it, those of SQLite's open connections included, and
// another process would then take the database for unused and rebuild its
// WAL index under the registry's feet.
void keep_private(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
        if (errno != ENOENT)
            throw std::runtime_error(path + ": " + std::strerror(errno));
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd && errno != EEXIST)
            throw std::runtime_error(path + ": " + std::strerror(errno));
        return;
    }
    if ((st.st_mode & 077) == 0)
        return;
    if (::chmod(path.c_str(), st.st_mode & 07700) != 0)
        throw std::runtime_error(path + ": holds tokens but others may read it, and chmod failed: "
                                 + std::strerror(errno));
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 07777);
    log::warning(path, " holds tokens but was mode 0", mode.str(), ": made it 0600");
    for (const char* suffix : {"-wal", "-shm"})
        ::chmod((path + suffix).c_str(), st.st_mode & 07700);   // if they exist
}

// Calls `use` with each allocated prefix of the vpn table and its
// certificate. A certificate that cannot be read is logged, with what this
// step then lacks (`unknown`), and skipped. Returns how many were used.
int for_each_current_certificate(
    sqlite::Database& db, std::string_view unknown,
    const std::function<void(const std::string&, const Certificate&)>& use)
{
    // Read first, used after: no row changes under a running SELECT.
    std::vector<std::pair<std::string, std::string>> certificates;
    {
        auto select = db.prepare("SELECT prefix, cert FROM vpn WHERE cert IS NOT NULL");
        auto rows = select.query();
        while (rows.next())
            certificates.emplace_back(rows.row().get<std::string>(0), rows.row().get<std::string>(1));
    }
    int used = 0;
    for (const auto& [prefix, pem] : certificates) {
        std::optional<Certificate> certificate;
        try {
            certificate = Certificate::from_pem(pem);
        } catch (const std::exception& error) {
            log::warning("the certificate of prefix ", prefix,
                         " in the database cannot be read (", error.what(), "): ", unknown);
            continue;
        }
        use(prefix, *certificate);
        ++used;
    }
    return used;
}

// Version 0 to 1: vpn.expires, the notAfter of each certificate, so that
// expired ones are found without parsing every certificate. Returns how many
// rows got a date.
int add_expiry_dates(sqlite::Database& db)
{
    db.exec(R"sql(
        ALTER TABLE vpn ADD COLUMN expires INTEGER;
        CREATE INDEX vpn_expires ON vpn(expires) WHERE cert IS NOT NULL;
    )sql");
    auto update = db.prepare("UPDATE vpn SET expires = ? WHERE prefix = ?");
    // An undated row is kept as it is: the prefix stays allocated and is
    // never reclaimed.
    return for_each_current_certificate(
        db, "its expiry date is unknown", [&](const std::string& prefix, const Certificate& cert) {
            update.execute(std::int64_t(cert.not_after()), prefix);
        });
}

// Version 3 to 4: the table certificates, every certificate the registry
// issues, so that revoking a node reaches those its renewals superseded.
// Before, only the current ones were kept: they are all it can start with,
// dated by their notBefore. Returns how many it recorded.
int record_current_certificates(sqlite::Database& db)
{
    db.exec(R"sql(
        CREATE TABLE certificates (
            serial TEXT PRIMARY KEY NOT NULL,
            cn TEXT NOT NULL,
            expires INTEGER NOT NULL,
            date INTEGER NOT NULL);
        CREATE INDEX certificates_cn ON certificates(cn);
        CREATE INDEX certificates_expires ON certificates(expires);
    )sql");
    auto insert = db.prepare("INSERT INTO certificates VALUES (?, ?, ?, ?)");
    // An unrecorded one is still revoked with its node: revoke reads the
    // node's current certificate in vpn.
    return for_each_current_certificate(
        db, "it is not recorded among the issued certificates",
        [&](const std::string& prefix, const Certificate& cert) {
            insert.execute(serial_text(cert.serial()), cn_from_bits(prefix),
                           std::int64_t(cert.not_after()), std::int64_t(cert.not_before()));
        });
}

}  // namespace

sqlite::Database open_registry_database(const std::string& path, Durability durability)
{
    // ":memory:" (the unit tests') names no file: SQLite keeps the database
    // in memory, and there is nothing to create or protect.
    if (path != ":memory:")
        keep_private(path);
    sqlite::Database db(path);
    // Other connections (another worker, an operator's sqlite3 shell) may hold
    // the write lock for a moment.
    db.set_busy_timeout(5000);
    // WAL: readers never wait for the writer. In WAL mode synchronous=NORMAL
    // keeps the file consistent after a crash and only skips the fsync per
    // commit, so recent commits may be lost on power failure; FULL keeps them.
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(durability == Durability::power_loss ? "PRAGMA synchronous = FULL"
                                                 : "PRAGMA synchronous = NORMAL");

    // One transaction, so that a failed upgrade leaves the file as it was,
    // and a second process opening it waits for the first's upgrade.
    sqlite::Transaction transaction(db);
    auto version = db.prepare("PRAGMA user_version").query_value<std::int64_t>().value_or(0);
    if (version > schema_version) {
        std::string message = "schema version ";
        message += std::to_string(version) + " is newer than this re6st-registry knows ("
                   + std::to_string(schema_version) + ")";
        throw std::runtime_error(message);
    }
    // Version 0: the tables of re6st-registry 0.1.0, which are the original's.
    db.exec(R"sql(
        CREATE TABLE IF NOT EXISTS peers (
            prefix TEXT PRIMARY KEY NOT NULL,
            address TEXT NOT NULL,
            date INTEGER DEFAULT (strftime('%s', 'now')));
        CREATE INDEX IF NOT EXISTS peers_ping ON peers(date);
        CREATE TABLE IF NOT EXISTS tokens (
            token TEXT PRIMARY KEY NOT NULL,
            email TEXT NOT NULL,
            prefix_len INTEGER NOT NULL,
            date INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS vpn (
            prefix TEXT PRIMARY KEY NOT NULL,
            email TEXT,
            cert TEXT);
        -- Not in the original: finds the free rows of the prefix tree without
        -- scanning every allocated one.
        CREATE INDEX IF NOT EXISTS vpn_free ON vpn(length(prefix)) WHERE cert IS NULL;
    )sql");
    // A new file takes the same steps as an old one.
    if (version < 1) {
        auto dated = add_expiry_dates(db);
        if (dated > 0)
            log::info(path, ": database upgraded to schema version 1: expiry dates of ", dated,
                      " certificates recorded");
    }
    // Version 1 to 2: nothing to fill; the registry stores its configuration
    // when it starts.
    if (version < 2)
        db.exec(R"sql(
            CREATE TABLE network_config (
                id INTEGER PRIMARY KEY CHECK (id = 0),
                version INTEGER NOT NULL,
                parameters TEXT NOT NULL);
        )sql");
    // Version 2 to 3: nothing revoked yet; the registry writes the network
    // when it starts.
    if (version < 3)
        db.exec(R"sql(
            CREATE TABLE revoked (
                serial TEXT PRIMARY KEY NOT NULL,
                cn TEXT NOT NULL,
                expires INTEGER NOT NULL,
                date INTEGER NOT NULL);
            CREATE INDEX revoked_expires ON revoked(expires);
            ALTER TABLE network_config ADD COLUMN network TEXT;
        )sql");
    if (version < 4) {
        auto recorded = record_current_certificates(db);
        if (recorded > 0)
            log::info(path, ": database upgraded to schema version 4: ", recorded,
                      " current certificates recorded");
    }
    // Version 4 to 5: nothing reported yet; nodes report when their tunnels
    // change.
    if (version < 5)
        db.exec(R"sql(
            CREATE TABLE tunnel_reports (
                prefix TEXT PRIMARY KEY NOT NULL,
                peers TEXT NOT NULL,
                date INTEGER NOT NULL);
        )sql");
    if (version < schema_version) {
        std::string set_version = "PRAGMA user_version = ";
        set_version += std::to_string(schema_version);
        db.exec(set_version);
    }
    // The root row means "the whole space is free"; it must only be added to
    // an empty tree, never next to rows that already split it.
    if (db.prepare("SELECT count(*) FROM vpn").query_value<std::int64_t>() == 0)
        db.execute("INSERT INTO vpn (prefix) VALUES ('')");
    transaction.commit();
    return db;
}

}  // namespace re6st::registry
