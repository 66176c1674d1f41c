// The sd_notify protocol, against a socket standing in for systemd's.
#include "common/service_notify.hpp"

#include "common/unique_fd.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

using namespace re6st;

namespace {

UniqueFd bound_socket(const std::string& path, bool abstract)
{
    UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    if (abstract)
        address.sun_path[0] = '\0';
    EXPECT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&address),
                   offsetof(sockaddr_un, sun_path) + path.size()),
              0);
    return fd;
}

std::string received(const UniqueFd& fd)
{
    char buffer[64];
    ssize_t n = recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    return n < 0 ? "<nothing>" : std::string(buffer, n);
}

}  // namespace

TEST(ServiceNotify, ReadyReachesSystemdsSocket)
{
    test::TempDir dir;
    auto path = dir / "notify";
    auto systemd = bound_socket(path, false);
    setenv("NOTIFY_SOCKET", path.c_str(), 1);
    EXPECT_TRUE(notify_service("READY=1"));
    EXPECT_EQ(received(systemd), "READY=1");
    unsetenv("NOTIFY_SOCKET");
}

TEST(ServiceNotify, AbstractSocket)
{
    std::string name = "@re6st-test-notify-" + std::to_string(getpid());
    auto systemd = bound_socket(name, true);
    setenv("NOTIFY_SOCKET", name.c_str(), 1);
    EXPECT_TRUE(notify_service("STOPPING=1"));
    EXPECT_EQ(received(systemd), "STOPPING=1");
    unsetenv("NOTIFY_SOCKET");
}

TEST(ServiceNotify, NothingOutsideSystemd)
{
    unsetenv("NOTIFY_SOCKET");
    EXPECT_FALSE(notify_service("READY=1"));
    setenv("NOTIFY_SOCKET", "relative/path", 1);
    EXPECT_FALSE(notify_service("READY=1"));
    unsetenv("NOTIFY_SOCKET");
}
