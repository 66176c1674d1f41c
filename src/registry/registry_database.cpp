// The registry's SQLite file.
#include "registry/registry_database.hpp"

namespace re6st::registry {

sqlite::Database open_registry_database(const std::string& path, Durability durability)
{
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

    sqlite::Transaction transaction(db);
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
    // The root row means "the whole space is free"; it must only be added to
    // an empty tree, never next to rows that already split it.
    if (db.prepare("SELECT count(*) FROM vpn").query_value<std::int64_t>() == 0)
        db.execute("INSERT INTO vpn VALUES ('', NULL, NULL)");
    transaction.commit();
    return db;
}

}  // namespace re6st::registry
