// The registry's database file: it holds pending tokens, so only its owner
// may read it, and SQLite's -wal and -shm files likewise.
#include "registry/registry_database.hpp"

#include "common/log.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

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
