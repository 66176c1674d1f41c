// Reaps every child on SIGCHLD (a waitpid(WNOHANG) loop) and tells whoever
// watches that pid how it ended.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>

namespace re6st {

class ChildReaper {
public:
    using ExitHandler = std::function<void(int status)>;   // waitpid status

    // Install before starting any child.
    explicit ChildReaper(boost::asio::io_context& io);

    // `handler` runs once, from the event loop, when `pid` has ended (at once
    // if it already has).
    void watch(pid_t pid, ExitHandler handler);

    // Reaps what has ended; also called from the SIGCHLD handler.
    void reap();

private:
    void wait_signal();

    boost::asio::io_context& io_;
    boost::asio::signal_set sigchld_;
    std::map<pid_t, ExitHandler> handlers_;
    std::map<pid_t, int> unclaimed_;   // ended before anyone watched them
};

// "exited with status 1", "killed by signal 9 (Killed)".
std::string describe_exit(int status);

}  // namespace re6st
