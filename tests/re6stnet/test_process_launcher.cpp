// Starting children: argv without a shell, fds handed over, exec failures.
#include "re6stnet/process/process_launcher.hpp"

#include "common/unique_fd.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <sstream>
#include <string>
#include <system_error>

using namespace re6st;

namespace {

// Runs `argv` with its output captured; returns (exit status, output).
std::pair<int, std::string> run(ProcessSpec spec)
{
    int out[2];
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    UniqueFd read_end(out[0]), write_end(out[1]);
    spec.output_fd = write_end.get();
    PosixProcessLauncher launcher;
    pid_t pid = launcher.start(spec);
    write_end.reset();
    std::string output;
    char buffer[256];
    ssize_t n;
    while ((n = read(read_end.get(), buffer, sizeof buffer)) > 0)
        output.append(buffer, n);
    int status = 0;
    waitpid(pid, &status, 0);
    return {status, output};
}

}  // namespace

TEST(ProcessLauncher, ArgumentsAreNotInterpretedByAShell)
{
    auto [status, output] = run({.argv = {"printf", "%s|", "a b", "$HOME", ";", "*"}});
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(output, "a b|$HOME|;|*|");
}

TEST(ProcessLauncher, StderrGoesToTheOutputToo)
{
    auto [status, output] = run({.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"}});
    EXPECT_EQ(WEXITSTATUS(status), 3);
    EXPECT_EQ(output, "out\nerr\n");
}

TEST(ProcessLauncher, ExtraFdsBecomeFdThreeOnwardAndNothingElseLeaks)
{
    int pair[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair), 0);
    UniqueFd ours(pair[0]), theirs(pair[1]);
    UniqueFd leaked(open("/dev/null", O_RDONLY));   // not close-on-exec: must not leak
    auto [status, output] = run(
        {.argv = {"sh", "-c",
                  "printf 'route-up 192.0.2.1\\n' >&3; ls /proc/self/fd | sort -n | tr '\\n' ' '"},
         .extra_fds = {theirs.get()}});
    EXPECT_EQ(WEXITSTATUS(status), 0);
    // ls itself opens one fd for the directory it lists.
    EXPECT_EQ(output, "0 1 2 3 4 ");
    char datagram[64];
    ssize_t n = recv(ours.get(), datagram, sizeof datagram, MSG_DONTWAIT);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(datagram, n), "route-up 192.0.2.1\n");
}

TEST(ProcessLauncher, ChildGetsItsOwnProcessGroupAndDefaultSignals)
{
    signal(SIGPIPE, SIG_IGN);   // as in the daemon
    auto [status, output] = run({.argv = {"sh", "-c", "ps -o pgid= -p $$ | tr -d ' '; echo $$; "
                                              "grep SigIgn /proc/self/status"}});
    EXPECT_EQ(WEXITSTATUS(status), 0);
    std::istringstream lines(output);
    std::string pgid, pid, ignored;
    std::getline(lines, pgid);
    std::getline(lines, pid);
    std::getline(lines, ignored);
    EXPECT_EQ(pgid, pid);
    EXPECT_EQ(ignored, "SigIgn:\t0000000000000000");
    signal(SIGPIPE, SIG_DFL);
}

TEST(ProcessLauncher, ExecFailureIsReportedToTheCaller)
{
    PosixProcessLauncher launcher;
    try {
        launcher.start({.argv = {"/nonexistent/openvpn"}});
        FAIL();
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code().value(), ENOENT);
        EXPECT_NE(std::string(error.what()).find("cannot run /nonexistent/openvpn"),
                  std::string::npos);
    }
    EXPECT_THROW(launcher.start({}), std::system_error);
}

TEST(ProcessLauncher, DieWithParentEndsTheChildWithItsParent)
{
    // Orphans come back to us, so that we can see how they ended.
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int report[2];
    ASSERT_EQ(pipe(report), 0);
    pid_t parent = fork();
    ASSERT_GE(parent, 0);
    if (parent == 0) {   // a stand-in daemon that starts a child and dies
        PosixProcessLauncher launcher;
        pid_t child = launcher.start({.argv = {"sleep", "30"}, .die_with_parent = true});
        [[maybe_unused]] auto n = write(report[1], &child, sizeof child);
        _exit(0);
    }
    close(report[1]);
    pid_t child = 0;
    ASSERT_EQ(read(report[0], &child, sizeof child), ssize_t(sizeof child));
    close(report[0]);
    waitpid(parent, nullptr, 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);   // no wait of 30 s
    EXPECT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGTERM);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
}
