// The registry's database file: it holds pending tokens, so only its owner
// may read it, and SQLite's -wal and -shm files likewise; a file of an older
// schema is upgraded in place with nothing lost, a newer one refused.
#include "registry/registry_database.hpp"

#include "common/certificate.hpp"
#include "common/certificate_serial.hpp"
#include "common/log.hpp"
#include "common/prefix.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

using namespace re6st;
using namespace re6st::registry;

namespace {

unsigned mode_of(const std::string& path)
{
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

}  // namespace

TEST(RegistryDatabase, NewFileAndItsWalAreOwnerOnly)
{
    test::TempDir dir;
    auto path = dir / "registry.db";
    auto db = open_registry_database(path, Durability::power_loss);
    db.execute("INSERT INTO tokens VALUES ('t', 'e', 16, 0)");
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_EQ(mode_of(path + "-wal"), 0600u);
    EXPECT_EQ(mode_of(path + "-shm"), 0600u);
}

TEST(RegistryDatabase, FileOthersCanReadIsMadeOwnerOnlyWithAWarning)
{
    test::TempDir dir;
    auto path = dir / "registry.db";
    std::ofstream(path).close();
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    std::vector<std::string> lines;
    log::set_sink([&](log::Level level, std::string_view line) {
        if (level == log::Level::warning)
            lines.emplace_back(line);
    });
    auto db = open_registry_database(path, Durability::crash);
    log::set_sink({});
    EXPECT_EQ(mode_of(path), 0600u);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], path + " holds tokens but was mode 0644: made it 0600");
    // Opening it again says nothing more.
    log::set_sink([&](log::Level, std::string_view line) { lines.emplace_back(line); });
    open_registry_database(path, Durability::crash);
    log::set_sink({});
    EXPECT_EQ(lines.size(), 1u);
}

namespace {

// The number of rows of `table` that a connection of another program sees:
// the sqlite3 shell's (a forked child would share this process's SQLite
// state, and its locks would hide the fault).
std::int64_t rows_seen_elsewhere(const std::string& path, const char* table)
{
    auto command = "sqlite3 '" + path + "' 'SELECT count(*) FROM " + table + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> shell(::popen(command.c_str(), "r"), ::pclose);
    if (!shell)
        return -1;
    long long rows = -1;
    if (std::fscanf(shell.get(), "%lld", &rows) != 1)
        return -1;
    return rows;
}

}  // namespace

// Found by the NAT network test: opening the database a second time (the
// registry keeps two connections) closed a descriptor of the file, which
// dropped the POSIX locks of the first connection. The next connection of
// another process then took itself for the last one when it closed, and
// checkpointed and removed the WAL file: it and every later reader saw none
// of the rows the registry committed afterwards.
TEST(RegistryDatabase, OtherProcessesSeeEveryCommitOfEitherConnection)
{
    test::TempDir dir;
    auto path = dir / "registry.db";
    auto first = open_registry_database(path, Durability::power_loss);
    auto second = open_registry_database(path, Durability::crash);
    second.execute("INSERT INTO peers VALUES ('01', '192.0.2.1,1194,udp', 0)");
    EXPECT_EQ(rows_seen_elsewhere(path, "peers"), 1);
    second.execute("INSERT INTO peers VALUES ('10', '192.0.2.2,1194,udp', 0)");
    first.execute("INSERT INTO tokens VALUES ('t', 'e', 16, 0)");
    EXPECT_EQ(rows_seen_elsewhere(path, "peers"), 2);
    EXPECT_EQ(rows_seen_elsewhere(path, "tokens"), 1);
}

namespace {

// Every row `sql` gives, each as its columns joined by '|' (NULL as "NULL").
std::vector<std::string> rows(sqlite::Database& db, const std::string& sql)
{
    std::vector<std::string> result;
    auto statement = db.prepare(sql);
    auto found = statement.query();
    while (found.next()) {
        std::string row;
        for (int i = 0; i < statement.column_count(); ++i) {
            row += found.row().get<std::optional<std::string>>(i).value_or("NULL");
            row += "|";
        }
        result.push_back(std::move(row));
    }
    return result;
}

std::int64_t user_version(sqlite::Database& db)
{
    return db.prepare("PRAGMA user_version").query_value<std::int64_t>().value_or(-1);
}

const char* const vpn_rows = "SELECT prefix, email, cert FROM vpn ORDER BY prefix";
const char* const token_rows = "SELECT * FROM tokens ORDER BY token";
const char* const peer_rows = "SELECT * FROM peers ORDER BY prefix";

// Everything in the file, the schema included.
std::vector<std::string> everything(sqlite::Database& db)
{
    std::vector<std::string> all;
    for (auto sql : {"SELECT type, name, sql FROM sqlite_master ORDER BY name",
                     "SELECT * FROM vpn ORDER BY prefix", token_rows, peer_rows}) {
        auto part = rows(db, sql);
        all.insert(all.end(), part.begin(), part.end());
        all.push_back("--");
    }
    all.push_back(std::to_string(user_version(db)));
    return all;
}

// A copy of the database re6st-registry 0.1.0 wrote (tests/registry/data).
std::string copy_of_version_0(const test::TempDir& dir)
{
    auto path = dir / "registry.db";
    std::filesystem::copy_file(RE6ST_TEST_DATA_DIR "/registry-0.1.0.db", path);
    std::filesystem::permissions(path, std::filesystem::perms::owner_read
                                           | std::filesystem::perms::owner_write);
    return path;
}

// The lines logged while it lives, at verbosity 1 (info).
struct LogLines {
    std::vector<std::string> lines;
    int verbosity = log::verbosity();
    LogLines()
    {
        log::set_verbosity(1);
        log::set_sink([this](log::Level, std::string_view line) { lines.emplace_back(line); });
    }
    ~LogLines()
    {
        log::set_sink({});
        log::set_verbosity(verbosity);
    }
};

// Whether a row of everything() is the schema of a table or an index that
// versions 3, 4 and 5 added.
bool is_added_since_version_2(const std::string& row)
{
    for (auto added : {"table|revoked|", "index|revoked_expires|", "index|sqlite_autoindex_revoked_",
                       "table|certificates|", "index|certificates_cn|",
                       "index|certificates_expires|", "index|sqlite_autoindex_certificates_",
                       "table|tunnel_reports|", "index|sqlite_autoindex_tunnel_reports_"})
        if (row.starts_with(added))
            return true;
    return false;
}

}  // namespace

TEST(RegistryDatabase, NewFileHasTheCurrentSchema)
{
    test::TempDir dir;
    auto db = open_registry_database(dir / "registry.db", Durability::crash);
    EXPECT_EQ(user_version(db), schema_version);
    EXPECT_EQ(rows(db, "SELECT * FROM vpn"), (std::vector<std::string>{"|NULL|NULL|NULL|"}));
}

TEST(RegistryDatabase, Version0IsUpgradedWithNothingLost)
{
    test::TempDir dir;
    auto path = copy_of_version_0(dir);
    std::vector<std::string> vpn, tokens, peers;
    {
        sqlite::Database old(path);
        ASSERT_EQ(user_version(old), 0);
        vpn = rows(old, vpn_rows);
        tokens = rows(old, token_rows);
        peers = rows(old, peer_rows);
    }
    ASSERT_EQ(vpn.size(), 22u);
    ASSERT_EQ(tokens.size(), 2u);
    ASSERT_EQ(peers.size(), 3u);

    LogLines log;
    auto db = open_registry_database(path, Durability::power_loss);
    EXPECT_EQ(user_version(db), schema_version);
    EXPECT_EQ(rows(db, vpn_rows), vpn);
    EXPECT_EQ(rows(db, token_rows), tokens);
    EXPECT_EQ(rows(db, peer_rows), peers);
    EXPECT_EQ(rows(db, "PRAGMA integrity_check"), (std::vector<std::string>{"ok|"}));

    // Each certificate's notAfter; NULL in the free rows.
    auto query = db.prepare("SELECT prefix, cert, expires FROM vpn");
    auto found = query.query();
    int dated = 0;
    while (found.next()) {
        auto row = found.row();
        auto cert = row.get<std::optional<std::string>>(1);
        auto expires = row.get<std::optional<std::int64_t>>(2);
        if (!cert) {
            EXPECT_FALSE(expires) << row.get<std::string>(0);
            continue;
        }
        ASSERT_TRUE(expires) << row.get<std::string>(0);
        EXPECT_EQ(*expires, Certificate::from_pem(*cert).not_after());
        ++dated;
    }
    EXPECT_EQ(dated, 4);
    EXPECT_EQ(rows(db, "SELECT name FROM sqlite_master WHERE name = 'vpn_expires'").size(), 1u);
    EXPECT_TRUE(rows(db, "SELECT * FROM network_config").empty());
    EXPECT_EQ(rows(db, "SELECT count(*) FROM certificates"), (std::vector<std::string>{"4|"}));
    EXPECT_EQ(log.lines, (std::vector<std::string>{
                             path + ": database upgraded to schema version 1: expiry dates of 4 "
                                    "certificates recorded",
                             path + ": database upgraded to schema version 4: 4 current "
                                    "certificates recorded"}));

    // Opening it again, as the registry's second connection does, changes
    // nothing and says nothing.
    auto before = everything(db);
    auto lines = log.lines.size();
    auto again = open_registry_database(path, Durability::crash);
    EXPECT_EQ(everything(again), before);
    EXPECT_EQ(log.lines.size(), lines);
}

// Version 1, as re6st-registry wrote it before the network configuration:
// the current schema without the tables network_config, revoked and
// certificates.
TEST(RegistryDatabase, Version1IsUpgradedWithNothingLost)
{
    test::TempDir dir;
    auto path = copy_of_version_0(dir);
    std::vector<std::string> before;
    {
        auto db = open_registry_database(path, Durability::crash);
        db.exec("DROP TABLE network_config; DROP TABLE revoked; DROP TABLE certificates;"
                " DROP TABLE tunnel_reports; PRAGMA user_version = 1");
        before = everything(db);
    }
    ASSERT_EQ(before.back(), "1");

    LogLines log;
    auto db = open_registry_database(path, Durability::power_loss);
    EXPECT_EQ(user_version(db), schema_version);
    EXPECT_TRUE(rows(db, "SELECT * FROM network_config").empty());
    db.execute("INSERT INTO network_config VALUES (0, 1700000000, 'hello 15\n', NULL)");
    EXPECT_THROW(db.execute("INSERT INTO network_config VALUES (1, 1700000000, '', NULL)"),
                 sqlite::Error);   // one row only

    // Everything else as it was.
    auto after = everything(db);
    auto without_new_table = [](std::vector<std::string> all) {
        std::erase_if(all, [](const std::string& row) {
            return is_added_since_version_2(row) || row.starts_with("table|network_config|")
                   || row == "1" || row == std::to_string(schema_version);
        });
        return all;
    };
    EXPECT_EQ(without_new_table(after), without_new_table(before));
    EXPECT_EQ(log.lines, (std::vector<std::string>{path + ": database upgraded to schema version 4: "
                                                          "4 current certificates recorded"}));
}

// The upgrade is one transaction: when a step fails, the file is as it was.
TEST(RegistryDatabase, FailedUpgradeChangesNothing)
{
    test::TempDir dir;
    auto path = copy_of_version_0(dir);
    std::vector<std::string> before;
    {
        sqlite::Database old(path);
        // The index the upgrade creates, already there: its second step fails.
        old.exec("CREATE INDEX vpn_expires ON tokens(date)");
        before = everything(old);
    }
    EXPECT_THROW(open_registry_database(path, Durability::crash), sqlite::Error);
    sqlite::Database old(path);
    EXPECT_EQ(everything(old), before);
}

TEST(RegistryDatabase, NewerSchemaIsRefused)
{
    test::TempDir dir;
    auto path = dir / "registry.db";
    open_registry_database(path, Durability::crash).exec("PRAGMA user_version = 6");
    try {
        open_registry_database(path, Durability::crash);
        ADD_FAILURE() << "opened";
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "schema version 6 is newer than this re6st-registry knows (5)");
    }
    sqlite::Database db(path);
    EXPECT_EQ(user_version(db), 6);
}

// Version 2, made by the SQL that re6st-registry ran for it (with rows in
// every table): upgraded with the table revoked, empty, and the column
// network_config.network, NULL until the registry starts. Its one
// certificate cannot be read: it is kept, and not recorded in the table
// certificates.
TEST(RegistryDatabase, Version2IsUpgradedWithNothingLost)
{
    test::TempDir dir;
    auto path = dir / "registry.db";
    std::vector<std::string> before;
    {
        sqlite::Database old(path);
        old.exec(R"sql(
            CREATE TABLE peers (
                prefix TEXT PRIMARY KEY NOT NULL,
                address TEXT NOT NULL,
                date INTEGER DEFAULT (strftime('%s', 'now')));
            CREATE INDEX peers_ping ON peers(date);
            CREATE TABLE tokens (
                token TEXT PRIMARY KEY NOT NULL,
                email TEXT NOT NULL,
                prefix_len INTEGER NOT NULL,
                date INTEGER NOT NULL);
            CREATE TABLE vpn (
                prefix TEXT PRIMARY KEY NOT NULL,
                email TEXT,
                cert TEXT);
            CREATE INDEX vpn_free ON vpn(length(prefix)) WHERE cert IS NULL;
            ALTER TABLE vpn ADD COLUMN expires INTEGER;
            CREATE INDEX vpn_expires ON vpn(expires) WHERE cert IS NOT NULL;
            CREATE TABLE network_config (
                id INTEGER PRIMARY KEY CHECK (id = 0),
                version INTEGER NOT NULL,
                parameters TEXT NOT NULL);
            INSERT INTO vpn VALUES ('0', 'a@example.org', 'not read', 1700000000);
            INSERT INTO vpn VALUES ('1', NULL, NULL, NULL);
            INSERT INTO tokens VALUES ('t', 'b@example.org', 16, 1700000000);
            INSERT INTO peers VALUES ('0', '192.0.2.1,1194,udp', 1700000000);
            INSERT INTO network_config VALUES (0, 1700000000, 'hello 15
');
            PRAGMA user_version = 2;
        )sql");
        before = everything(old);
    }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read
                                           | std::filesystem::perms::owner_write);
    ASSERT_EQ(before.back(), "2");

    LogLines log;
    auto db = open_registry_database(path, Durability::power_loss);
    EXPECT_EQ(user_version(db), schema_version);
    EXPECT_TRUE(rows(db, "SELECT * FROM revoked").empty());
    EXPECT_TRUE(rows(db, "SELECT * FROM certificates").empty());
    EXPECT_EQ(rows(db, "SELECT * FROM network_config"),
              (std::vector<std::string>{"0|1700000000|hello 15\n|NULL|"}));
    db.execute("INSERT INTO revoked VALUES ('0A1B', '1/16', 1800000000, 1700000000)");
    EXPECT_THROW(db.execute("INSERT INTO revoked VALUES ('0A1B', '2/16', 1, 1)"),
                 sqlite::Error);   // one row per serial
    db.execute("DELETE FROM revoked");

    auto after = everything(db);
    auto without_new = [](std::vector<std::string> all) {
        std::erase_if(all, [](const std::string& row) {
            return is_added_since_version_2(row) || row.starts_with("table|network_config|")
                   || row == "2" || row == std::to_string(schema_version);
        });
        return all;
    };
    EXPECT_EQ(without_new(after), without_new(before));
    ASSERT_EQ(log.lines.size(), 1u);
    EXPECT_TRUE(log.lines[0].starts_with("the certificate of prefix 0 in the database cannot be "
                                         "read ("))
        << log.lines[0];
    EXPECT_TRUE(log.lines[0].ends_with("): it is not recorded among the issued certificates"))
        << log.lines[0];
}

// Version 3, as re6st-registry wrote it before it recorded every certificate
// (tests/registry/data): upgraded with the table certificates, which holds
// the current certificate of each node (those that renewals superseded were
// never kept), and nothing else changed.
TEST(RegistryDatabase, Version3IsUpgradedWithNothingLost)
{
    test::TempDir dir;
    auto path = dir / "registry.db";
    std::filesystem::copy_file(RE6ST_TEST_DATA_DIR "/registry-schema-3.db", path);
    std::filesystem::permissions(path, std::filesystem::perms::owner_read
                                           | std::filesystem::perms::owner_write);
    const char* const other_rows[] = {"SELECT * FROM revoked ORDER BY serial",
                                      "SELECT * FROM network_config"};
    std::vector<std::string> before;
    std::vector<std::vector<std::string>> others;
    {
        sqlite::Database old(path);
        ASSERT_EQ(user_version(old), 3);
        before = everything(old);
        for (auto sql : other_rows)
            others.push_back(rows(old, sql));
        ASSERT_EQ(rows(old, "SELECT count(*) FROM vpn WHERE cert IS NOT NULL"),
                  (std::vector<std::string>{"2|"}));
        ASSERT_EQ(others[0].size(), 1u);   // carol's
    }

    LogLines log;
    auto db = open_registry_database(path, Durability::power_loss);
    EXPECT_EQ(user_version(db), schema_version);
    EXPECT_EQ(log.lines, (std::vector<std::string>{path + ": database upgraded to schema version 4: "
                                                          "2 current certificates recorded"}));
    auto without_new = [](std::vector<std::string> all) {
        std::erase_if(all, [](const std::string& row) {
            return row.starts_with("table|certificates|") || row.starts_with("index|certificates_")
                   || row.starts_with("index|sqlite_autoindex_certificates_")
                   || row.starts_with("table|tunnel_reports|")
                   || row.starts_with("index|sqlite_autoindex_tunnel_reports_") || row == "3"
                   || row == std::to_string(schema_version);
        });
        return all;
    };
    EXPECT_EQ(without_new(everything(db)), without_new(before));
    for (std::size_t i = 0; i < std::size(other_rows); ++i)
        EXPECT_EQ(rows(db, other_rows[i]), others[i]) << other_rows[i];
    EXPECT_EQ(rows(db, "PRAGMA integrity_check"), (std::vector<std::string>{"ok|"}));

    // Each current certificate: its serial, its node's CN, its end, its
    // notBefore for a date.
    std::vector<std::string> expected;
    {
        auto query = db.prepare("SELECT prefix, cert FROM vpn WHERE cert IS NOT NULL ORDER BY prefix");
        auto found = query.query();
        while (found.next()) {
            auto cert = Certificate::from_pem(found.row().get<std::string>(1));
            expected.push_back(serial_text(cert.serial()) + "|"
                               + cn_from_bits(found.row().get<std::string>(0)) + "|"
                               + std::to_string(cert.not_after()) + "|"
                               + std::to_string(cert.not_before()) + "|");
        }
    }
    std::ranges::sort(expected);
    EXPECT_EQ(rows(db, "SELECT * FROM certificates ORDER BY serial"), expected);
    EXPECT_EQ(rows(db, "SELECT cn FROM certificates ORDER BY cn"),
              (std::vector<std::string>{"0/16|", "1/16|"}));

    // Opening it again changes nothing and says nothing.
    auto upgraded = everything(db);
    auto lines = log.lines.size();
    auto again = open_registry_database(path, Durability::crash);
    EXPECT_EQ(everything(again), upgraded);
    EXPECT_EQ(rows(again, "SELECT * FROM certificates ORDER BY serial"), expected);
    EXPECT_EQ(log.lines.size(), lines);
}

// Version 4, as re6st-registry wrote it before nodes reported their tunnels
// (tests/registry/data): upgraded with the table tunnel_reports, empty, and
// nothing else changed, silently.
TEST(RegistryDatabase, Version4IsUpgradedWithNothingLost)
{
    test::TempDir dir;
    auto path = dir / "registry.db";
    std::filesystem::copy_file(RE6ST_TEST_DATA_DIR "/registry-schema-4.db", path);
    std::filesystem::permissions(path, std::filesystem::perms::owner_read
                                           | std::filesystem::perms::owner_write);
    const char* const other_rows[] = {"SELECT * FROM revoked ORDER BY serial",
                                      "SELECT * FROM network_config",
                                      "SELECT * FROM certificates ORDER BY serial"};
    std::vector<std::string> before;
    std::vector<std::vector<std::string>> others;
    {
        sqlite::Database old(path);
        ASSERT_EQ(user_version(old), 4);
        before = everything(old);
        for (auto sql : other_rows)
            others.push_back(rows(old, sql));
        ASSERT_EQ(others[0].size(), 1u);   // carol's revocation
        ASSERT_EQ(others[2].size(), 2u);   // alice's and bob's certificates
        ASSERT_EQ(rows(old, "SELECT count(*) FROM tokens"), (std::vector<std::string>{"2|"}));
    }

    LogLines log;
    auto db = open_registry_database(path, Durability::power_loss);
    EXPECT_EQ(user_version(db), 5);
    EXPECT_EQ(log.lines, std::vector<std::string>());
    EXPECT_TRUE(rows(db, "SELECT * FROM tunnel_reports").empty());
    auto without_new = [](std::vector<std::string> all) {
        std::erase_if(all, [](const std::string& row) {
            return row.starts_with("table|tunnel_reports|")
                   || row.starts_with("index|sqlite_autoindex_tunnel_reports_") || row == "4"
                   || row == "5";
        });
        return all;
    };
    EXPECT_EQ(without_new(everything(db)), without_new(before));
    for (std::size_t i = 0; i < std::size(other_rows); ++i)
        EXPECT_EQ(rows(db, other_rows[i]), others[i]) << other_rows[i];
    EXPECT_EQ(rows(db, "PRAGMA integrity_check"), (std::vector<std::string>{"ok|"}));

    db.execute("INSERT INTO tunnel_reports VALUES ('0000000000000000', '1/16', 1700000000)");
    EXPECT_THROW(db.execute("INSERT INTO tunnel_reports VALUES ('0000000000000000', '', 1)"),
                 sqlite::Error);   // one report per node
}
