// Atomic file replacement: content, exact modes, no trace when not committed.
#include "common/atomic_file.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace re6st;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> entries(const fs::path& directory)
{
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string read(const fs::path& path)
{
    std::ifstream file(path);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

mode_t mode_of(const fs::path& path)
{
    struct stat status;
    if (stat(path.c_str(), &status) != 0)
        throw std::runtime_error("stat " + path.string());
    return status.st_mode & 07777;
}

}  // namespace

TEST(AtomicFile, WritesContentWithExactMode)
{
    test::TempDir directory;
    auto old_umask = umask(077);   // the mode asked for wins over the umask
    write_file_atomically(directory.path() / "cert.crt", "certificate\n", 0644);
    write_file_atomically(directory.path() / "cert.key", "key\n", 0600);
    umask(old_umask);
    EXPECT_EQ(read(directory.path() / "cert.crt"), "certificate\n");
    EXPECT_EQ(mode_of(directory.path() / "cert.crt"), 0644u);
    EXPECT_EQ(mode_of(directory.path() / "cert.key"), 0600u);
    EXPECT_EQ(entries(directory.path()), (std::vector<std::string>{"cert.crt", "cert.key"}));
}

TEST(AtomicFile, TemporaryFileIsPrivateUntilCommitted)
{
    test::TempDir directory;
    AtomicFile file(directory.path() / "ca.pem", 0644);
    file.write("part 1, ");
    file.write("part 2");
    auto names = entries(directory.path());
    ASSERT_EQ(names.size(), 1u);
    EXPECT_TRUE(names[0].starts_with(".ca.pem.")) << names[0];
    EXPECT_EQ(mode_of(directory.path() / names[0]), 0600u);
    file.commit();
    EXPECT_EQ(entries(directory.path()), std::vector<std::string>{"ca.pem"});
    EXPECT_EQ(read(directory.path() / "ca.pem"), "part 1, part 2");
    EXPECT_EQ(mode_of(directory.path() / "ca.pem"), 0644u);
}

TEST(AtomicFile, ReplacesByRenameNotByTruncation)
{
    test::TempDir directory;
    auto path = directory.path() / "re6stnet.conf";
    write_file_atomically(path, "old", 0644);
    std::ifstream old_reader(path);   // holds the old inode open
    write_file_atomically(path, "new", 0644);
    std::string seen;
    old_reader >> seen;
    EXPECT_EQ(seen, "old");
    EXPECT_EQ(read(path), "new");
}

TEST(AtomicFile, UncommittedLeavesNoTrace)
{
    test::TempDir directory;
    auto path = directory.path() / "cert.crt";
    write_file_atomically(path, "kept", 0644);
    {
        AtomicFile file(path, 0644);
        file.write("abandoned");
    }
    EXPECT_EQ(entries(directory.path()), std::vector<std::string>{"cert.crt"});
    EXPECT_EQ(read(path), "kept");
}

TEST(AtomicFile, MissingDirectoryIsNamed)
{
    test::TempDir directory;
    auto missing = directory.path() / "missing";
    try {
        AtomicFile file(missing / "ca.pem", 0644);
        FAIL();
    } catch (const FileError& error) {
        EXPECT_EQ(std::string(error.what()),
                  "cannot create a file in " + missing.string() + ": No such file or directory");
    }
}

TEST(AtomicFile, UnwritableDirectoryIsNamed)
{
    test::TempDir directory;
    fs::permissions(directory.path(), fs::perms(0555));
    auto attempt = [&] {
        try {
            AtomicFile file(directory.path() / "ca.pem", 0644);
        } catch (const FileError& error) {
            return std::string(error.what());
        }
        return std::string("created");
    };
    auto expected = "cannot create a file in " + directory.path().string() + ": Permission denied";
    if (geteuid() != 0) {
        EXPECT_EQ(attempt(), expected);
        return;
    }
    // Root ignores the mode bits: try as nobody, in a child.
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        bool refused = setgid(65534) == 0 && setuid(65534) == 0 && attempt() == expected;
        _exit(refused ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_TRUE(entries(directory.path()).empty());
}
