// The revoked serials as OpenVPN's --crl-verify directory.
#include "re6stnet/revoked_dir.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace re6st;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> names(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir))
        out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

mode_t mode_of(const fs::path& path)
{
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

}  // namespace

// OpenVPN names the files after the serial in decimal, however long.
TEST(RevokedDir, SerialsInDecimal)
{
    EXPECT_EQ(decimal_serial("00"), "0");
    EXPECT_EQ(decimal_serial("0A"), "10");
    EXPECT_EQ(decimal_serial("FF"), "255");
    EXPECT_EQ(decimal_serial("0100"), "256");
    EXPECT_EQ(decimal_serial("7F3A9C00112233445566778899AABBCCDDEEFF01"),
              "726348860655522204156663909402237411567959211777");   // 20 bytes
    EXPECT_THROW(decimal_serial(""), std::invalid_argument);
    EXPECT_THROW(decimal_serial("1G"), std::invalid_argument);
    EXPECT_THROW(decimal_serial("../1"), std::invalid_argument);
}

// The directory holds exactly the revoked serials, readable by the
// unprivileged OpenVPN; a serial no longer listed goes.
TEST(RevokedDir, SyncAddsAndRemoves)
{
    test::TempDir tmp;
    auto dir = fs::path(tmp / "revoked");
    EXPECT_EQ(sync_revoked_dir(dir.string(), {}), 0u);
    EXPECT_TRUE(names(dir).empty());
    EXPECT_EQ(mode_of(dir), 0755u);

    EXPECT_EQ(sync_revoked_dir(dir.string(), {"0A", "FF"}), 2u);
    EXPECT_EQ(names(dir), (std::vector<std::string>{"10", "255"}));
    EXPECT_EQ(mode_of(dir / "10"), 0644u);
    EXPECT_EQ(fs::file_size(dir / "10"), 0u);

    EXPECT_EQ(sync_revoked_dir(dir.string(), {"0A", "0100"}), 1u);
    EXPECT_EQ(names(dir), (std::vector<std::string>{"10", "256"}));
    EXPECT_EQ(sync_revoked_dir(dir.string(), {"0A", "0100"}), 0u);   // nothing new
    EXPECT_EQ(sync_revoked_dir(dir.string(), {}), 0u);
    EXPECT_TRUE(names(dir).empty());
}

TEST(RevokedDir, UnwritableDirectoryIsNamed)
{
    test::TempDir tmp;
    auto file = fs::path(tmp / "file");
    { std::ofstream(file) << "x"; }
    try {
        sync_revoked_dir((file / "revoked").string(), {"0A"});
        FAIL() << "no error";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find((file / "revoked").string()), std::string::npos)
            << error.what();
    }
}

// OpenVPN runs as nobody: a directory on the way that others cannot search
// hides every serial from it.
TEST(RevokedDir, DirectoryHiddenFromOthersIsFound)
{
    test::TempDir tmp;
    auto top = fs::path(tmp / "top");
    auto dir = top / "state" / "revoked";
    sync_revoked_dir(dir.string(), {});
    fs::permissions(tmp.path(), fs::perms(0755));
    fs::permissions(top, fs::perms(0755));
    EXPECT_EQ(hidden_from_others(dir.string()), "");
    fs::permissions(top, fs::perms(0700));
    EXPECT_EQ(hidden_from_others(dir.string()), top.string());
}
