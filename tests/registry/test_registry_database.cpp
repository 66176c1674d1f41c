// The registry's database file: it holds pending tokens, so only its owner
// may read it, and SQLite's -wal and -shm files likewise.
#include "registry/registry_database.hpp"

#include "common/log.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdio>
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
