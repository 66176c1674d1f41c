// The node's peer cache.
#include "re6stnet/peer_db.hpp"

#include "common/log.hpp"
#include "re6stnet/peer_db_schema.hpp"

#include <cstdio>
#include <iterator>

namespace re6st {

namespace {

// upgrades[v] turns a cache of version v (PRAGMA user_version) into one of
// version v + 1, in place. Version 0 is the cache of re6stnet 0.1.0, which
// had no version number; peer_db_schema.sql makes the last version.
constexpr const char* upgrades[] = {
    "",   // 0 to 1: the same tables; only the version number is new
};
constexpr int current_version = int(std::size(upgrades));

// Makes the tables of a new file, or brings those of an older one up to
// date, in one transaction.
void prepare_schema(sqlite::Database& db, const std::string& path)
{
    sqlite::Transaction transaction(db);
    int version = *db.prepare("PRAGMA user_version").query_value<int>();
    if (!db.prepare("SELECT 1 FROM sqlite_master").query_value<int>()) {
        db.exec(peer_db_schema);
    } else if (version > current_version) {
        auto message = path;
        message += " is a peer cache of version ";
        message += std::to_string(version);
        message += ", newer than this re6stnet's (";
        message += std::to_string(current_version);
        message += "): remove it, and the cache is made again from the registry";
        throw sqlite::Error(SQLITE_ERROR, message);
    } else if (version < current_version) {
        for (; version < current_version; ++version)
            db.exec(upgrades[version]);
        std::string set_version = "PRAGMA user_version = ";
        db.exec(set_version += std::to_string(current_version));
    }
    transaction.commit();
}

}  // namespace

PeerDb::PeerDb(const std::string& path, const std::string& own_prefix) : db_(path)
{
    db_.set_busy_timeout(5000);
    prepare_schema(db_, path);
    // A corrupt file may still open; reading every page tells.
    auto check = db_.prepare("PRAGMA quick_check").query_value<std::string>();
    if (check != "ok")
        throw sqlite::Error(SQLITE_CORRUPT, path + ": " + check.value_or("quick_check failed"));
    sqlite::Transaction transaction(db_);
    db_.execute("UPDATE peers SET used = 0 WHERE used != 0");
    transaction.commit();
    // A node enrolled again has a new prefix: the old one is another's now.
    clear_blacklist(Blacklist::self);
    blacklist(own_prefix, Blacklist::self);
}

PeerDb PeerDb::open_or_rebuild(const std::string& path, const std::string& own_prefix,
                               bool* moved_aside)
{
    if (moved_aside)
        *moved_aside = false;
    try {
        return PeerDb(path, own_prefix);
    } catch (const sqlite::Error& error) {
        int code = error.code() & 0xff;
        if (code != SQLITE_CORRUPT && code != SQLITE_NOTADB)
            throw;
    }
    auto aside = path + ".corrupt";
    if (std::rename(path.c_str(), aside.c_str()) != 0)
        throw sqlite::Error(SQLITE_CANTOPEN, path + " is corrupt and cannot be moved aside");
    for (const char* suffix : {"-wal", "-shm", "-journal"})
        std::remove((path + suffix).c_str());
    if (moved_aside)
        *moved_aside = true;
    return PeerDb(path, own_prefix);
}

std::vector<Peer> PeerDb::unused_peers(std::size_t count, const std::set<std::string>& exclude)
{
    std::vector<Peer> peers;
    auto select = db_.prepare("SELECT prefix, address FROM peers WHERE used <= 0"
                              " ORDER BY used DESC, random()");
    // The cache holds a few hundred rows at most: scanning them is cheap.
    auto rows = select.query();
    std::vector<std::string> bad;
    while (peers.size() < count && rows.next()) {
        auto row = rows.row();
        auto prefix = row.get<std::string>(0);
        if (exclude.count(prefix))
            continue;
        try {
            peers.push_back({prefix, parse_endpoints(row.get<std::string>(1))});
        } catch (const EndpointError& error) {
            log::warning("peer cache: forgetting ", cn_from_bits(prefix), ": ", error.what());
            bad.push_back(prefix);
        }
    }
    for (const auto& prefix : bad)
        db_.execute("DELETE FROM peers WHERE prefix = ?", prefix);
    return peers;
}

std::size_t PeerDb::unused_count()
{
    return *db_.prepare("SELECT count(*) FROM peers WHERE used <= 0")
                .query_value<std::int64_t>();
}

std::size_t PeerDb::fresh_count()
{
    return *db_.prepare("SELECT count(*) FROM peers WHERE used = 0").query_value<std::int64_t>();
}

std::optional<PeerDb::Use> PeerDb::use_of(const std::string& prefix)
{
    auto use = db_.prepare("SELECT used FROM peers WHERE prefix = ?").query_value<int>(prefix);
    if (!use)
        return std::nullopt;
    return Use(*use);
}

std::optional<Peer> PeerDb::find(const std::string& prefix)
{
    auto row = db_.prepare("SELECT address FROM peers WHERE prefix = ?")
                   .query_value<std::string>(prefix);
    if (!row)
        return std::nullopt;
    try {
        return Peer{prefix, parse_endpoints(*row)};
    } catch (const EndpointError&) {
        return std::nullopt;
    }
}

void PeerDb::set_use(const std::string& prefix, Use use)
{
    db_.execute("UPDATE peers SET used = ? WHERE prefix = ?", int(use), prefix);
}

void PeerDb::remove(const std::string& prefix)
{
    db_.execute("DELETE FROM peers WHERE prefix = ?", prefix);
}

void PeerDb::merge(const std::vector<Peer>& peers, std::size_t capacity, std::int64_t now)
{
    sqlite::Transaction transaction(db_);
    auto insert = db_.prepare(
        "INSERT INTO peers (prefix, address, used, date) VALUES (?1, ?2, 0, ?3)"
        " ON CONFLICT(prefix) DO UPDATE SET address = ?2, date = ?3");
    // Known peers get their fresh address; make room for the new ones.
    std::size_t fresh = 0;
    auto exists = db_.prepare("SELECT 1 FROM peers WHERE prefix = ?");
    for (const auto& peer : peers)
        if (!exists.query_value<int>(peer.prefix))
            ++fresh;
    auto rows = std::int64_t(size());
    auto excess = rows + std::int64_t(fresh) - std::int64_t(capacity);
    if (excess > 0)
        db_.execute("DELETE FROM peers WHERE prefix IN (SELECT prefix FROM peers"
                    " WHERE used <= 0 ORDER BY used, random() LIMIT ?)",
                    excess);
    auto room = std::int64_t(capacity) - std::int64_t(size());
    for (const auto& peer : peers) {
        if (exists.query_value<int>(peer.prefix)) {
            insert.execute(peer.prefix, peer.address(), now);
        } else if (room > 0 && !is_blacklisted(peer.prefix)) {
            insert.execute(peer.prefix, peer.address(), now);
            --room;
        }
    }
    transaction.commit();
}

bool PeerDb::add(const Peer& peer, std::int64_t now)
{
    if (is_blacklisted(peer.prefix))
        return false;
    db_.execute("INSERT INTO peers (prefix, address, used, date) VALUES (?1, ?2, 0, ?3)"
                " ON CONFLICT(prefix) DO UPDATE SET address = ?2, date = ?3",
                peer.prefix, peer.address(), now);
    return true;
}

void PeerDb::blacklist(const std::string& prefix, Blacklist reason)
{
    sqlite::Transaction transaction(db_);
    db_.execute("DELETE FROM peers WHERE prefix = ?", prefix);
    db_.execute("INSERT OR REPLACE INTO blacklist (prefix, flag) VALUES (?, ?)", prefix,
                int(reason));
    transaction.commit();
}

void PeerDb::clear_blacklist(Blacklist reason)
{
    db_.execute("DELETE FROM blacklist WHERE flag = ?", int(reason));
}

bool PeerDb::is_blacklisted(const std::string& prefix)
{
    return db_.prepare("SELECT 1 FROM blacklist WHERE prefix = ?")
        .query_value<int>(prefix)
        .has_value();
}

std::optional<std::string> PeerDb::config(const std::string& name)
{
    return db_.prepare("SELECT value FROM config WHERE name = ?")
        .query_value<std::string>(name);
}

void PeerDb::set_config(const std::string& name, const std::string& value)
{
    db_.execute("INSERT OR REPLACE INTO config (name, value) VALUES (?, ?)", name, value);
}

std::size_t PeerDb::size()
{
    return *db_.prepare("SELECT count(*) FROM peers").query_value<std::int64_t>();
}

}  // namespace re6st
