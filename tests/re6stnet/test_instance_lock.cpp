// One daemon per directory.
#include "re6stnet/instance_lock.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

using namespace re6st;

TEST(InstanceLock, SecondHolderIsRefusedWithTheFirstsPid)
{
    test::TempDir dir;
    std::optional<InstanceLock> first;
    first.emplace(dir.path().string());
    EXPECT_EQ(dir.read(InstanceLock::file_name), std::to_string(getpid()) + "\n");
    try {
        InstanceLock second(dir.path().string());
        FAIL() << "locked twice";
    } catch (const AlreadyRunning& error) {
        EXPECT_EQ(std::string(error.what()), "another re6stnet (pid " + std::to_string(getpid())
                                                 + ") is running with the directory "
                                                 + dir.path().string());
    }
    first.reset();   // released: the next one gets it
    InstanceLock third(dir.path().string());
}

TEST(InstanceLock, HeldAgainstOtherProcessesAndReleasedWhenTheHolderDies)
{
    test::TempDir dir;
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        InstanceLock lock(dir.path().string());
        (void)!write(ready[1], "x", 1);
        pause();   // until killed
        _exit(0);
    }
    char byte;
    ASSERT_EQ(read(ready[0], &byte, 1), 1);
    EXPECT_THROW(InstanceLock(dir.path().string()), AlreadyRunning);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    InstanceLock mine(dir.path().string());
    close(ready[0]);
    close(ready[1]);
}

TEST(InstanceLock, DirectoryThatCannotHoldTheLockIsNamed)
{
    try {
        InstanceLock lock("/nonexistent/run");
        FAIL() << "locked";
    } catch (const std::runtime_error& error) {
        EXPECT_EQ(std::string(error.what()).rfind("cannot open /nonexistent/run/re6stnet.lock", 0),
                  0u)
            << error.what();
    }
}
