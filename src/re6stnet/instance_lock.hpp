// One daemon per node: a lock held for the daemon's whole life on a file in
// each of its directories (--run and --state). A second daemon given the
// same directory refuses to start before it touches anything. The lock is
// flock(2)'s, so the kernel drops it when the daemon dies, even by SIGKILL;
// the file also holds the holder's pid, for the message.
#pragma once

#include "common/unique_fd.hpp"

#include <stdexcept>
#include <string>

namespace re6st {

// "another re6stnet (pid 123) is running with the directory /run/re6stnet".
class AlreadyRunning : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class InstanceLock {
public:
    static constexpr const char* file_name = "re6stnet.lock";

    // Takes the lock on DIRECTORY/re6stnet.lock, creating the file (mode
    // 0644) if needed. Throws AlreadyRunning when another holds it, and
    // std::runtime_error naming the file when it cannot be opened.
    explicit InstanceLock(const std::string& directory);

private:
    UniqueFd fd_;
};

}  // namespace re6st
