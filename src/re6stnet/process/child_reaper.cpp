// Reaping children on SIGCHLD.
#include "re6stnet/process/child_reaper.hpp"

#include <boost/asio/post.hpp>

#include <sys/wait.h>

#include <cstring>

namespace re6st {

ChildReaper::ChildReaper(boost::asio::io_context& io) : io_(io), sigchld_(io, SIGCHLD)
{
    wait_signal();
}

void ChildReaper::wait_signal()
{
    sigchld_.async_wait([this](const boost::system::error_code& error, int) {
        if (error)
            return;
        reap();
        wait_signal();
    });
}

void ChildReaper::watch(pid_t pid, ExitHandler handler)
{
    auto ended = unclaimed_.find(pid);
    if (ended != unclaimed_.end()) {
        boost::asio::post(io_, [handler = std::move(handler), status = ended->second] {
            handler(status);
        });
        unclaimed_.erase(ended);
        return;
    }
    handlers_[pid] = std::move(handler);
}

void ChildReaper::reap()
{
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return;
        auto found = handlers_.find(pid);
        if (found == handlers_.end()) {
            unclaimed_[pid] = status;
            continue;
        }
        auto handler = std::move(found->second);
        handlers_.erase(found);
        handler(status);
    }
}

std::string describe_exit(int status)
{
    if (WIFEXITED(status))
        return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "killed by signal " + std::to_string(WTERMSIG(status)) + " ("
            + strsignal(WTERMSIG(status)) + ")";
    return "ended with wait status " + std::to_string(status);
}

}  // namespace re6st
