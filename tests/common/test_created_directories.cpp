// mkdir -p that is undone unless kept: modes, what it removes, what it names.
#include "common/created_directories.hpp"

#include "common/atomic_file.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace re6st;
namespace fs = std::filesystem;

namespace {

mode_t mode_of(const fs::path& path)
{
    struct stat status;
    if (stat(path.c_str(), &status) != 0)
        throw std::runtime_error("cannot stat " + path.string());
    return status.st_mode & 07777;
}

// A umask for the lifetime of a test.
class Umask {
public:
    explicit Umask(mode_t mask) : saved_(umask(mask)) {}
    ~Umask() { umask(saved_); }

private:
    mode_t saved_;
};

}  // namespace

TEST(CreatedDirectories, KeptOnesHaveMode0755WhateverTheUmask)
{
    test::TempDir scratch;
    Umask strict(077);
    CreatedDirectories directories(scratch / "a/b/c");
    directories.keep();
    for (const auto* path : {"a", "a/b", "a/b/c"}) {
        ASSERT_TRUE(fs::is_directory(scratch / path)) << path;
        EXPECT_EQ(mode_of(scratch / path), 0755u) << path;
    }
}

TEST(CreatedDirectories, RemovedUnlessKeptButNotThoseThatExisted)
{
    test::TempDir scratch;
    fs::create_directory(scratch / "old");
    fs::permissions(scratch / "old", fs::perms(0700));
    {
        CreatedDirectories directories(scratch / "old/new/newer");
        EXPECT_TRUE(fs::is_directory(scratch / "old/new/newer"));
    }
    EXPECT_FALSE(fs::exists(scratch / "old/new"));
    EXPECT_EQ(mode_of(scratch / "old"), 0700u);   // untouched
}

TEST(CreatedDirectories, ExistingDirectoryIsLeftAsItIs)
{
    test::TempDir scratch;
    {
        CreatedDirectories directories(scratch.path());
    }
    EXPECT_TRUE(fs::is_directory(scratch.path()));
}

TEST(CreatedDirectories, OneThatIsNoLongerEmptyStays)
{
    test::TempDir scratch;
    {
        CreatedDirectories directories(scratch / "a/b");
        scratch.write("a/b/file", "written\n");
    }
    EXPECT_EQ(scratch.read("a/b/file"), "written\n");
}

TEST(CreatedDirectories, FailureNamesTheDirectoryAndUndoesTheOthers)
{
    test::TempDir scratch;
    scratch.write("file", "");
    // The directory named is the one that failed: here the last one.
    const std::pair<std::string, std::string> cases[] = {
        {scratch / "file/sub", "Not a directory"},
        {scratch / ("new/" + std::string(300, 'x')), "File name too long"},
    };
    for (const auto& [directory, reason] : cases) {
        try {
            CreatedDirectories directories(directory);
            ADD_FAILURE() << directory << " made";
        } catch (const FileError& error) {
            EXPECT_EQ(std::string(error.what()),
                      "cannot create the directory " + directory + ": " + reason);
        }
    }
    EXPECT_FALSE(fs::exists(scratch / "new"));   // made before the failure, removed
}
