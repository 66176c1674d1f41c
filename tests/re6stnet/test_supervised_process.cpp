// Keeping babeld and the OpenVPN servers running.
#include "re6stnet/supervised_process.hpp"

#include "loop.hpp"
#include "recording_launcher.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace std::chrono_literals;

namespace {

struct SupervisedProcessTest : ::testing::Test {
    boost::asio::io_context io;
    ChildReaper reaper{io};
    test::RecordingLauncher launcher;
    RestartDelays fast{50ms, 200ms, 10s};

    SupervisedProcess make(const char* name = "babeld")
    {
        return SupervisedProcess(io, launcher, reaper, name,
                                 [] { return PreparedProcess{{.argv = {"babeld", "-d", "0"}}}; },
                                 fast);
    }
};

}  // namespace

TEST_F(SupervisedProcessTest, RestartsWhatDies)
{
    auto process = make();
    std::vector<pid_t> started;
    process.on_started = [&](pid_t pid) { started.push_back(pid); };
    process.start();
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(launcher.started.at(0).argv.at(0), "babeld");
    launcher.crash(started[0]);
    ASSERT_TRUE(test::run_until(io, [&] { return started.size() == 2; }));
    EXPECT_NE(started[0], started[1]);
    EXPECT_TRUE(process.running());
    bool stopped = false;
    process.stop(1s, [&] { stopped = true; });
    ASSERT_TRUE(test::run_until(io, [&] { return stopped; }));
    EXPECT_EQ(launcher.signals[started[1]], std::vector<int>{SIGTERM});
}

TEST_F(SupervisedProcessTest, DelayGrowsWhileItKeepsDying)
{
    auto process = make();
    std::vector<std::chrono::steady_clock::time_point> times;
    process.on_started = [&](pid_t pid) {
        times.push_back(std::chrono::steady_clock::now());
        launcher.crash(pid);
    };
    process.start();
    ASSERT_TRUE(test::run_until(io, [&] { return times.size() == 5; }));
    bool stopped = false;
    process.stop(1s, [&] { stopped = true; });
    ASSERT_TRUE(test::run_until(io, [&] { return stopped; }));
    // 50, 100, 200, 200 ms: doubling up to the longest delay.
    EXPECT_GE(times[1] - times[0], 50ms);
    EXPECT_GE(times[2] - times[1], 100ms);
    EXPECT_GE(times[3] - times[2], 200ms);
    EXPECT_GE(times[4] - times[3], 200ms);
    EXPECT_LT(times[4] - times[3], 2s);
}

TEST_F(SupervisedProcessTest, ProgramThatCannotStartIsRetried)
{
    auto process = make();
    launcher.fail_next = true;
    process.start();
    EXPECT_FALSE(process.running());
    ASSERT_TRUE(test::run_until(io, [&] { return process.running(); }));
    EXPECT_EQ(process.starts(), 1u);
    bool stopped = false;
    process.stop(1s, [&] { stopped = true; });
    ASSERT_TRUE(test::run_until(io, [&] { return stopped; }));
}

TEST_F(SupervisedProcessTest, StoppedProcessStaysStopped)
{
    auto process = make();
    process.start();
    bool stopped = false;
    process.stop(1s, [&] { stopped = true; });
    ASSERT_TRUE(test::run_until(io, [&] { return stopped; }));
    test::run_until(io, [] { return false; }, 300ms);
    EXPECT_EQ(launcher.started.size(), 1u);
    EXPECT_FALSE(process.running());
}

TEST_F(SupervisedProcessTest, StubbornChildIsKilledAfterTheGrace)
{
    boost::asio::io_context io2;
    ChildReaper reaper2(io2);
    PosixProcessLauncher real;
    SupervisedProcess process(io2, real, reaper2, "stubborn", [] {
        return PreparedProcess{{.argv = {"sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"}}};
    });
    process.start();
    test::run_until(io2, [] { return false; }, 200ms);   // let the trap be set
    bool stopped = false;
    auto begin = std::chrono::steady_clock::now();
    process.stop(300ms, [&] { stopped = true; });
    ASSERT_TRUE(test::run_until(io2, [&] { return stopped; }));
    EXPECT_GE(std::chrono::steady_clock::now() - begin, 300ms);
}
