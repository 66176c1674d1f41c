// re6stnet --status.
#include "re6stnet/status_command.hpp"

#include "common/unique_fd.hpp"
#include "re6stnet/control_socket.hpp"
#include "re6stnet/node_status_json.hpp"
#include "re6stnet/node_status_text.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace re6st {

namespace {

// The most a status may weigh: far more than thousands of tunnels.
constexpr std::size_t max_answer = 16 * 1024 * 1024;

std::string failure(const std::string& what, const std::string& path)
{
    return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

std::string ask_daemon(const std::string& path, const std::string& request,
                       std::chrono::milliseconds timeout)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        throw std::runtime_error("the socket path " + path + " is too long");
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd)
        throw std::runtime_error(failure("cannot make a socket for", path));
    timeval limit{static_cast<time_t>(timeout.count() / 1000),
                  static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        if (errno == ENOENT || errno == ECONNREFUSED)
            throw DaemonNotRunning(failure("no daemon listens on", path));
        bool denied = errno == EACCES;
        auto why = failure("cannot connect to", path);
        throw std::runtime_error(denied ? why + " (root only)" : why);
    }
    auto line = request + "\n";
    if (send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) != ssize_t(line.size()))
        throw std::runtime_error(failure("cannot ask the daemon on", path));
    std::string answer;
    char buffer[65536];
    for (;;) {
        auto got = recv(fd.get(), buffer, sizeof buffer, 0);
        if (got == 0)
            break;
        if (got < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                throw std::runtime_error("the daemon on " + path + " did not answer within "
                                         + std::to_string(timeout.count() / 1000) + " s");
            throw std::runtime_error(failure("cannot read the daemon's answer on", path));
        }
        answer.append(buffer, std::size_t(got));
        if (answer.size() > max_answer)
            throw std::runtime_error("the daemon on " + path + " answered too much");
    }
    return answer;
}

int show_status(const std::string& run_dir, bool json, std::ostream& out, std::ostream& err,
                std::chrono::milliseconds timeout)
{
    auto path = control_socket_path(run_dir);
    try {
        auto answer = ask_daemon(path, "status", timeout);
        if (answer.empty())
            throw std::runtime_error("the daemon on " + path + " closed without answering");
        // Checked even when printed as received: a script reads it.
        auto status = parse_status_json(answer);
        if (json) {
            out << answer;
            if (answer.back() != '\n')
                out << '\n';
        } else {
            out << status_text(status, std::chrono::system_clock::now());
        }
        out.flush();
        return 0;
    } catch (const DaemonNotRunning& error) {
        err << "re6stnet: no daemon is running with --run " << run_dir << " (" << error.what()
            << ")\n";
    } catch (const std::exception& error) {
        err << "re6stnet: " << error.what() << "\n";
    }
    return 1;
}

}  // namespace re6st
