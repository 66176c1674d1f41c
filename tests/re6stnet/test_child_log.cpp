// Children's log files, reopened for logrotate.
#include "re6stnet/process/child_log.hpp"

#include "re6stnet/process/child_reaper.hpp"
#include "re6stnet/process/process_launcher.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

using namespace re6st;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path)
{
    std::ifstream file(path);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// Runs the loop until `done` or 10 s.
template <class Done>
void run_until(boost::asio::io_context& io, Done done)
{
    io.restart();
    boost::asio::steady_timer timeout(io, std::chrono::seconds(10));
    timeout.async_wait([&](auto error) {
        if (!error)
            io.stop();
    });
    while (!done() && !io.stopped())
        io.run_one();
    timeout.cancel();
    io.poll();
}

class ChildLogTest : public ::testing::Test {
protected:

    // Starts `script` with its output in `log`; returns when it has ended and
    // its output has been copied.
    void run_child(ChildLog& log, const std::string& script, const std::string& expect_in_file)
    {
        auto fd = log.attach();
        pid_t pid = launcher_.start({.argv = {"sh", "-c", script}, .output_fd = fd.get()});
        fd.reset();
        bool ended = false;
        reaper_.watch(pid, [&](int) { ended = true; });
        run_until(io_, [&] {
            return ended && slurp(log.path()).find(expect_in_file) != std::string::npos;
        });
        ASSERT_TRUE(ended);
    }

    test::TempDir temp_;
    const fs::path& dir_ = temp_.path();
    boost::asio::io_context io_;
    ChildReaper reaper_{io_};
    PosixProcessLauncher launcher_;
};

}  // namespace

TEST_F(ChildLogTest, AppendsEveryChildsOutput)
{
    auto path = dir_ / "re6stnet-babeld.log";
    { std::ofstream(path) << "earlier\n"; }
    ChildLog log(io_, path);
    run_child(log, "echo first; echo oops >&2", "oops");
    run_child(log, "echo second", "second");
    EXPECT_EQ(slurp(path), "earlier\nfirst\noops\nsecond\n");
}

TEST_F(ChildLogTest, NewFilesAreNotWorldReadable)
{
    auto path = dir_ / "re6stnet-server-udp1194.log";
    umask(0);
    ChildLog log(io_, path);
    umask(022);
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(ChildLogTest, ReopensAfterLogrotateMovedTheFile)
{
    auto path = dir_ / "re6stnet-client0.log";
    ChildLog log(io_, path);
    auto fd = log.attach();
    // A long-lived child writes before and after the rotation.
    pid_t pid = launcher_.start(
        {.argv = {"sh", "-c", "echo before; exec sleep 30"}, .output_fd = fd.get()});
    fd.reset();
    run_until(io_, [&] { return slurp(path) == "before\n"; });
    fs::rename(path, dir_ / "re6stnet-client0.log.1");
    log.reopen();
    launcher_.signal(pid, SIGTERM);
    bool ended = false;
    reaper_.watch(pid, [&](int) { ended = true; });
    run_until(io_, [&] { return ended; });
    run_child(log, "echo after rotation", "after rotation");
    EXPECT_EQ(slurp(dir_ / "re6stnet-client0.log.1"), "before\n");
    EXPECT_EQ(slurp(path), "after rotation\n");
}

TEST_F(ChildLogTest, UnwritableDirectoryIsNamed)
{
    try {
        ChildLog log(io_, "/nonexistent/dir/re6stnet-babeld.log");
        FAIL();
    } catch (const std::system_error& error) {
        EXPECT_NE(std::string(error.what()).find("/nonexistent/dir/re6stnet-babeld.log"),
                  std::string::npos);
    }
}
