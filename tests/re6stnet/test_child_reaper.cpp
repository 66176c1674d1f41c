// Reaping children on SIGCHLD.
#include "re6stnet/process/child_reaper.hpp"

#include "re6stnet/process/process_launcher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>

#include <sys/wait.h>

#include <cerrno>
#include <cstring>

using namespace re6st;

TEST(ChildReaper, TellsHowEachChildEnded)
{
    boost::asio::io_context io;
    ChildReaper reaper(io);
    PosixProcessLauncher launcher;
    std::map<std::string, int> ended;
    pid_t a = launcher.start({.argv = {"sh", "-c", "exit 7"}});
    pid_t b = launcher.start({.argv = {"sleep", "30"}});
    pid_t c = launcher.start({.argv = {"true"}});
    reaper.watch(a, [&](int status) { ended["a"] = status; });
    reaper.watch(b, [&](int status) { ended["b"] = status; });
    launcher.signal(b, SIGKILL);
    // c ends before anyone watches it; watching it later still tells.
    siginfo_t info;
    int waited;
    while ((waited = waitid(P_PID, c, &info, WEXITED | WNOWAIT)) != 0 && errno == EINTR) {
    }
    ASSERT_EQ(waited, 0) << strerror(errno);   // ended, not reaped yet
    reaper.reap();
    reaper.watch(c, [&](int status) { ended["c"] = status; });

    boost::asio::steady_timer timeout(io, std::chrono::seconds(10));
    timeout.async_wait([&](auto) { io.stop(); });
    while (ended.size() < 3 && !io.stopped())
        io.run_one();
    ASSERT_EQ(ended.size(), 3u);
    EXPECT_EQ(describe_exit(ended["a"]), "exited with status 7");
    EXPECT_EQ(describe_exit(ended["b"]), "killed by signal 9 (Killed)");
    EXPECT_EQ(describe_exit(ended["c"]), "exited with status 0");
    EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);   // nothing left to reap
}
