// A persistent tap: the commands it runs, a tap a killed daemon left, and
// what it does when `ip` fails. (The network tests make real ones: a
// replaced server's clients come back on the same tap.)
#include "re6stnet/openvpn/persistent_tap.hpp"

#include "command_recorder.hpp"
#include "fake_clock.hpp"
#include "loop.hpp"
#include "support/temp_dir.hpp"

#include <sys/stat.h>
#include <cstdlib>
#include <fstream>

#include <filesystem>

#include <gtest/gtest.h>

using namespace re6st;

namespace {

// What the failing command prints.
struct Recorder : test::CommandRecorder {
    Recorder() { failure_output = "ioctl(TUNSETIFF): Operation not permitted"; }
};

}  // namespace

TEST(PersistentTap, MadeBeforeEachStartDeletedOnce)
{
    test::TempDir sys;
    Recorder ip;
    {
        PersistentTap tap(ip.runner(), "re6st-udp1194", nullptr, sys.path().string());
        EXPECT_TRUE(tap.keep());
        EXPECT_TRUE(tap.kept());
        tap.remove();
        EXPECT_FALSE(tap.kept());
        tap.remove();
        EXPECT_TRUE(tap.keep());
    }   // the destructor deletes it
    EXPECT_EQ(ip.commands, (std::vector<std::string>{
                               "ip tuntap add dev re6st-udp1194 mode tap",
                               "ip link delete dev re6st-udp1194",
                               "ip tuntap add dev re6st-udp1194 mode tap",
                               "ip link delete dev re6st-udp1194",
                           }));
}

// `ip tuntap add` refuses an existing tap. A persistent one (IFF_PERSIST in
// tun_flags) that a process holds (carrier up) is taken over as it is; one
// nobody holds, a killed daemon's with its stale routes, is made anew, as
// is one that is not persistent. Later starts take over the tap kept.
TEST(PersistentTap, TakesOverOnlyAHeldTapLeftBehind)
{
    test::TempDir sys;
    for (auto name : {"re6st-udp1194", "re6st-udp1195", "re6st-tcp1194"})
        std::filesystem::create_directory(sys / name);
    sys.write("re6st-udp1194/tun_flags", "0x1802\n");   // IFF_TAP | IFF_NO_PI | IFF_PERSIST
    sys.write("re6st-udp1194/carrier", "1\n");
    sys.write("re6st-udp1195/tun_flags", "0x1802\n");
    sys.write("re6st-udp1195/carrier", "0\n");
    sys.write("re6st-tcp1194/tun_flags", "0x1002\n");   // IFF_TAP | IFF_NO_PI
    Recorder ip;
    PersistentTap held(ip.runner(), "re6st-udp1194", nullptr, sys.path().string());
    PersistentTap stale(ip.runner(), "re6st-udp1195", nullptr, sys.path().string());
    PersistentTap other(ip.runner(), "re6st-tcp1194", nullptr, sys.path().string());
    EXPECT_TRUE(held.keep());
    EXPECT_TRUE(stale.keep());
    EXPECT_TRUE(other.keep());
    sys.write("re6st-udp1195/carrier", "0\n");   // between two runs of its process
    EXPECT_TRUE(stale.keep());
    EXPECT_EQ(ip.commands, (std::vector<std::string>{
                               "ip link delete dev re6st-udp1195",
                               "ip tuntap add dev re6st-udp1195 mode tap",
                               "ip tuntap add dev re6st-tcp1194 mode tap",
                           }));
}

// Without a persistent tap OpenVPN makes its own: nothing to delete.
TEST(PersistentTap, RefusedTapIsLeftToOpenVpn)
{
    test::TempDir sys;
    Recorder ip;
    ip.status = 1;
    {
        PersistentTap tap(ip.runner(), "re6st-udp1194", nullptr, sys.path().string());
        EXPECT_FALSE(tap.keep());
        EXPECT_FALSE(tap.kept());
    }
    EXPECT_EQ(ip.commands,
              std::vector<std::string>{"ip tuntap add dev re6st-udp1194 mode tap"});
}

// The sweeper's shell, for real, with a stand-in `ip` that records what it
// is asked: once its socket closes (the daemon ended), it deletes the taps
// still kept, and only those.
TEST(TapSweeper, DeletesTheTapsStillKeptWhenTheDaemonEnds)
{
    test::TempDir dir;
    std::filesystem::create_directory(dir / "bin");
    {
        std::ofstream ip(dir / "bin/ip");
        ip << "#!/bin/sh\necho \"$*\" >>" << (dir / "ip.log") << "\n";
    }
    chmod((dir / "bin/ip").c_str(), 0755);
    std::string path = std::getenv("PATH");
    setenv("PATH", ((dir / "bin") + ":" + path).c_str(), 1);

    boost::asio::io_context io;
    ChildReaper reaper{io};
    PosixProcessLauncher launcher;
    test::FakeClock clock{io};
    ProcessContext processes{io, launcher, reaper, clock};
    bool ended = false;
    {
        TapSweeper sweeper(processes);
        Recorder recorder;
        PersistentTap a(recorder.runner(), "re6stnet0", &sweeper, dir.path().string());
        PersistentTap b(recorder.runner(), "re6st-udp1194", &sweeper, dir.path().string());
        PersistentTap c(recorder.runner(), "re6stnet1", &sweeper, dir.path().string());
        a.keep();
        b.keep();
        c.keep();
        a.remove();
        // As if the daemon died now: b and c were never deleted.
        sweeper.close();
        ASSERT_TRUE(test::run_until(io, [&] {
            std::ifstream log(dir / "ip.log");
            std::string all((std::istreambuf_iterator<char>(log)), {});
            ended = all.find("re6stnet1") != std::string::npos;
            return ended;
        }, std::chrono::seconds(5)));
    }
    setenv("PATH", path.c_str(), 1);
    std::ifstream log(dir / "ip.log");
    std::string all((std::istreambuf_iterator<char>(log)), {});
    EXPECT_EQ(all, "link delete dev re6st-udp1194\nlink delete dev re6stnet1\n");
}
