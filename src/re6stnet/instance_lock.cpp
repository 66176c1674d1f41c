// Holding a directory for one daemon.
#include "re6stnet/instance_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace re6st {

namespace {

// The pid a holder wrote, as text; empty if none yet.
std::string holder_of(int fd)
{
    char buffer[32];
    ssize_t size = pread(fd, buffer, sizeof buffer - 1, 0);
    std::string text(buffer, size > 0 ? std::size_t(size) : 0);
    auto end = text.find_first_not_of("0123456789");
    return text.substr(0, end);
}

}  // namespace

InstanceLock::InstanceLock(const std::string& directory)
{
    auto path = directory + "/" + file_name;
    fd_.reset(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd_)
        throw std::runtime_error("cannot open " + path + ": " + strerror(errno));
    while (flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK)
            throw std::runtime_error("cannot lock " + path + ": " + strerror(errno));
        auto pid = holder_of(fd_.get());
        throw AlreadyRunning("another re6stnet" + (pid.empty() ? "" : " (pid " + pid + ")")
                             + " is running with the directory " + directory);
    }
    auto pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd_.get(), 0) != 0 || pwrite(fd_.get(), pid.data(), pid.size(), 0) < 0)
        throw std::runtime_error("cannot write " + path + ": " + strerror(errno));
}

}  // namespace re6st
