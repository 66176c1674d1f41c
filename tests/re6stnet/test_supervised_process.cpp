// Keeping babeld and the OpenVPN servers running.
#include "re6stnet/process/supervised_process.hpp"

#include "fake_clock.hpp"
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
    test::FakeClock clock{io};
    ProcessContext processes{io, launcher, reaper, clock};
    RestartDelays fast{50ms, 200ms, 10s};

    // Ends a child as a crash would; returns once the restart waits.
    void crash(pid_t pid)
    {
        auto waits = clock.pending();
        launcher.crash(pid);
        ASSERT_TRUE(test::run_until(io, [&] { return clock.pending() == waits + 1; }));
    }

    void stop(SupervisedProcess& process)
    {
        bool stopped = false;
        process.stop(1s, [&] { stopped = true; });
        ASSERT_TRUE(test::run_until(io, [&] { return stopped; }));
    }

    // Runs what the loop has ready, without waiting for anything.
    void settle()
    {
        io.restart();
        io.poll();
    }

    SupervisedProcess make(const char* name = "babeld")
    {
        return SupervisedProcess(processes, name,
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
    crash(started[0]);
    clock.advance(fast.first);
    ASSERT_TRUE(test::run_until(io, [&] { return started.size() == 2; }));
    EXPECT_NE(started[0], started[1]);
    EXPECT_TRUE(process.running());
    stop(process);
    EXPECT_EQ(launcher.signals[started[1]], std::vector<int>{SIGTERM});
}

TEST_F(SupervisedProcessTest, DelayGrowsWhileItKeepsDying)
{
    auto process = make();
    std::vector<Clock::time_point> times;
    process.on_started = [&](pid_t pid) {
        times.push_back(clock.now());
        launcher.crash(pid);
    };
    process.start();
    while (times.size() < 5) {
        ASSERT_TRUE(test::run_until(io, [&] { return clock.pending() == 1; }));
        clock.advance(clock.next_deadline() - clock.now());
        auto before = times.size();
        ASSERT_TRUE(test::run_until(io, [&] { return times.size() > before; }));
    }
    stop(process);
    // 50, 100, 200, 200 ms: doubling up to the longest delay.
    EXPECT_EQ(times[1] - times[0], 50ms);
    EXPECT_EQ(times[2] - times[1], 100ms);
    EXPECT_EQ(times[3] - times[2], 200ms);
    EXPECT_EQ(times[4] - times[3], 200ms);
}

TEST_F(SupervisedProcessTest, HealthyRunResetsTheDelay)
{
    auto process = make();
    std::vector<pid_t> started;
    process.on_started = [&](pid_t pid) { started.push_back(pid); };
    process.start();
    crash(started.back());
    EXPECT_EQ(clock.next_deadline() - clock.now(), 50ms);
    clock.advance(50ms);
    ASSERT_TRUE(test::run_until(io, [&] { return started.size() == 2; }));
    clock.advance(fast.healthy);   // runs long enough to count as healthy
    crash(started.back());
    EXPECT_EQ(clock.next_deadline() - clock.now(), 50ms);
    stop(process);
}

TEST_F(SupervisedProcessTest, ProgramThatCannotStartIsRetried)
{
    auto process = make();
    launcher.fail_next = true;
    process.start();
    EXPECT_FALSE(process.running());
    clock.advance(fast.first);
    ASSERT_TRUE(test::run_until(io, [&] { return process.running(); }));
    EXPECT_EQ(process.starts(), 1u);
    stop(process);
}

TEST_F(SupervisedProcessTest, StoppedProcessStaysStopped)
{
    auto process = make();
    process.start();
    stop(process);
    clock.advance(fast.longest * 10);
    settle();
    EXPECT_EQ(launcher.started.size(), 1u);
    EXPECT_FALSE(process.running());
}

// A restart already due when the process is stopped and started again must
// not start it a second time.
TEST_F(SupervisedProcessTest, RestartDueAtAStopStartsNothingMore)
{
    auto process = make();
    std::vector<pid_t> started;
    process.on_started = [&](pid_t pid) { started.push_back(pid); };
    process.start();
    crash(started.back());
    clock.advance(fast.first);   // the restart is queued on the loop...
    bool stopped = false;
    process.stop(1s, [&] { stopped = true; });   // ...when it is stopped
    process.start();                             // and started again
    settle();
    EXPECT_EQ(started.size(), 2u);
    EXPECT_EQ(launcher.started.size(), 2u);
    EXPECT_TRUE(stopped);
    stop(process);
}

TEST_F(SupervisedProcessTest, StubbornChildIsKilledAfterTheGrace)
{
    PosixProcessLauncher real;
    ProcessContext context{io, real, reaper, clock};
    // It says when its trap is set.
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    SupervisedProcess process(context, "stubborn", [&] {
        PreparedProcess prepared{{.argv = {"sh", "-c",
                                           "trap '' TERM; echo ready; while :; do sleep 0.05; done"},
                                  .output_fd = ready[1]}};
        return prepared;
    });
    process.start();
    close(ready[1]);
    char line[6] = {};
    ASSERT_EQ(read(ready[0], line, 5), 5);
    close(ready[0]);
    bool stopped = false;
    process.stop(300ms, [&] { stopped = true; });
    clock.advance(299ms);
    settle();
    EXPECT_FALSE(stopped);
    clock.advance(1ms);
    ASSERT_TRUE(test::run_until(io, [&] { return stopped; }));
}

// A renewed certificate: the process is replaced by one with a fresh
// command line at once, not after the restart delay, and not twice.
TEST_F(SupervisedProcessTest, ReplaceStartsAFreshOneAsSoonAsTheOldHasEnded)
{
    int prepared = 0;
    SupervisedProcess process(processes, "server", [&] {
        ++prepared;
        return PreparedProcess{{.argv = {"openvpn", std::to_string(prepared)}}};
    }, fast);
    std::vector<pid_t> started;
    process.on_started = [&](pid_t pid) { started.push_back(pid); };
    int died = 0;
    process.on_died = [&] { ++died; };
    process.start();
    process.replace(1s);
    process.replace(1s);   // already replacing: nothing more
    ASSERT_TRUE(test::run_until(io, [&] { return started.size() == 2; }));
    settle();
    EXPECT_EQ(started.size(), 2u);
    EXPECT_EQ(prepared, 2);
    EXPECT_EQ(launcher.started.back().argv.back(), "2");
    EXPECT_TRUE(process.running());
    EXPECT_EQ(clock.pending(), 0u);   // no restart was scheduled
    EXPECT_EQ(died, 0) << "a replacement is not a death";

    // It still restarts what dies, with the delay.
    crash(started.back());
    clock.advance(fast.first);
    ASSERT_TRUE(test::run_until(io, [&] { return started.size() == 3; }));
    EXPECT_EQ(died, 1);
    stop(process);
    EXPECT_EQ(died, 1) << "nor is a stop";
}

TEST_F(SupervisedProcessTest, StopWhileReplacingStartsNothing)
{
    auto process = make();
    process.start();
    process.replace(1s);
    stop(process);
    settle();
    EXPECT_EQ(launcher.started.size(), 1u);
    EXPECT_FALSE(process.running());
}
