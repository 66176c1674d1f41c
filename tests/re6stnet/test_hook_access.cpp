// Whether OpenVPN's unprivileged user can run the hook scripts.
#include "re6stnet/openvpn/hook_access.hpp"

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

using namespace re6st;

namespace {

// A user that owns none of the test's files and is in none of their groups.
const HookUser stranger{"stranger", 64000, 64000};

class HookAccess : public ::testing::Test {
protected:
    void SetUp() override
    {
        hooks_ = dir_ / "build/hooks";
        std::filesystem::create_directories(hooks_);
        for (const char* hook : {"ovpn-server", "ovpn-client"}) {
            std::ofstream(hooks_ + "/" + hook) << "#!/bin/sh\n";
            ::chmod((hooks_ + "/" + hook).c_str(), 0755);
        }
        ::chmod(dir_.path().c_str(), 0755);
        ::chmod((dir_ / "build").c_str(), 0755);
        ::chmod(hooks_.c_str(), 0755);
    }

    std::string message_for(const HookUser& user)
    {
        try {
            check_hooks_runnable(hooks_, user);
        } catch (const std::runtime_error& error) {
            return error.what();
        }
        return "";
    }

    test::TempDir dir_;
    std::string hooks_;
};

}  // namespace

TEST_F(HookAccess, WorldReadableTreeIsAccepted)
{
    EXPECT_EQ(message_for(stranger), "");
}

TEST_F(HookAccess, PrivateDirectoryOnTheWayIsNamed)
{
    ::chmod((dir_ / "build").c_str(), 0700);
    auto message = message_for(stranger);
    EXPECT_NE(message.find("user stranger, who cannot enter " + (dir_ / "build") + " (mode 0700)"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST_F(HookAccess, ScriptOthersCannotRunIsNamed)
{
    ::chmod((hooks_ + "/ovpn-client").c_str(), 0750);
    auto message = message_for(stranger);
    EXPECT_NE(message.find("cannot read and run " + hooks_ + "/ovpn-client (mode 0750)"),
              std::string::npos)
        << message;
}

TEST_F(HookAccess, OwnerAndGroupBitsApplyToTheirUser)
{
    ::chmod((dir_ / "build").c_str(), 0710);
    EXPECT_EQ(message_for({"owner", ::getuid(), 64000}), "");
    EXPECT_EQ(message_for({"member", 64000, ::getgid()}), "");
    EXPECT_NE(message_for(stranger), "");
}

TEST_F(HookAccess, MissingScriptIsNamed)
{
    std::filesystem::remove(hooks_ + "/ovpn-server");
    auto message = message_for(stranger);
    EXPECT_NE(message.find("hook " + hooks_ + "/ovpn-server: No such file or directory"),
              std::string::npos)
        << message;
}

TEST(HookUser, UnknownUserIsNamed)
{
    EXPECT_THROW(hook_user("no-such-user-re6st"), std::runtime_error);
    EXPECT_EQ(hook_user("root").uid, 0u);
}
