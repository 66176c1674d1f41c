// Test child processes with captured output.
#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;

namespace re6st::test {

namespace {

[[noreturn]] void fail(const std::string& what)
{
    throw std::system_error(errno, std::generic_category(), what);
}

struct Pipe {
    int read = -1, write = -1;
    Pipe()
    {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            fail("pipe2");
        read = fds[0];
        write = fds[1];
    }
};

}  // namespace

Process::Process(const std::vector<std::string>& argv, const Options& options)
{
    // A child that exits before reading its stdin must fail write_stdin, not
    // kill the test.
    signal(SIGPIPE, SIG_IGN);
    Pipe in, out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (options.pipe_stdin)
        posix_spawn_file_actions_adddup2(&actions, in.read, 0);
    else
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write, 1);
    posix_spawn_file_actions_adddup2(&actions, err.write, 2);

    std::vector<char*> args;
    for (const auto& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);

    std::vector<std::string> env_strings;
    for (char** variable = environ; *variable; ++variable) {
        std::string_view entry(*variable);
        if (!options.env.contains(std::string(entry.substr(0, entry.find('=')))))
            env_strings.emplace_back(entry);
    }
    for (const auto& [name, value] : options.env)
        env_strings.push_back(name + "=" + value);
    std::vector<char*> env;
    for (auto& entry : env_strings)
        env.push_back(entry.data());
    env.push_back(nullptr);

    int error = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    for (int fd : {in.read, out.write, err.write})
        close(fd);
    if (error != 0) {
        for (int fd : {in.write, out.read, err.read})
            close(fd);
        errno = error;
        fail("cannot start " + argv[0]);
    }
    stdin_ = in.write;
    if (!options.pipe_stdin)
        close_stdin();
    stdout_ = out.read;
    stderr_ = err.read;
}

Process::~Process()
{
    if (!status_) {
        kill(pid_, SIGKILL);
        int status;
        waitpid(pid_, &status, 0);
    }
    for (int fd : {stdin_, stdout_, stderr_})
        if (fd >= 0)
            close(fd);
}

void Process::pump(std::chrono::milliseconds timeout)
{
    pollfd fds[2] = {{stdout_, POLLIN, 0}, {stderr_, POLLIN, 0}};
    if (poll(fds, 2, int(timeout.count())) <= 0)
        return;
    std::pair<int*, std::string*> streams[] = {{&stdout_, &out_}, {&stderr_, &err_}};
    for (int i = 0; i < 2; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        char buffer[65536];
        auto size = read(*streams[i].first, buffer, sizeof buffer);
        if (size > 0) {
            streams[i].second->append(buffer, std::size_t(size));
        } else {   // end of output; a negative fd makes poll skip it
            close(*streams[i].first);
            *streams[i].first = -1;
        }
    }
}

std::optional<std::string> Process::read_line(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto newline = out_.find('\n', out_consumed_);
        if (newline != out_.npos) {
            auto line = out_.substr(out_consumed_, newline - out_consumed_);
            out_consumed_ = newline + 1;
            return line;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (stdout_ < 0 || left.count() <= 0)
            return std::nullopt;
        pump(left);
    }
}

void Process::write_stdin(std::string_view text)
{
    while (!text.empty()) {
        auto written = write(stdin_, text.data(), text.size());
        if (written < 0)
            fail("writing to the stdin of process " + std::to_string(pid_));
        text.remove_prefix(std::size_t(written));
    }
}

void Process::close_stdin()
{
    if (stdin_ >= 0)
        close(stdin_);
    stdin_ = -1;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
        int status;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        pump(std::chrono::milliseconds(stdout_ < 0 && stderr_ < 0 ? 10 : 50));
    }
    // The child is gone; drain what it left in the pipes (bounded: a
    // grandchild may still hold them).
    auto drained = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while ((stdout_ >= 0 || stderr_ >= 0) && std::chrono::steady_clock::now() < drained)
        pump(std::chrono::milliseconds(100));
    return status_;
}

void Process::terminate()
{
    if (!status_)
        kill(pid_, SIGTERM);
}

}  // namespace re6st::test
