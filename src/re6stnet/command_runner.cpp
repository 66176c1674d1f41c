// Running short commands to completion.
#include "re6stnet/command_runner.hpp"

#include "common/unique_fd.hpp"
#include "re6stnet/process_launcher.hpp"

#include <fcntl.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

namespace re6st {

CommandResult run_command(const std::vector<std::string>& argv)
{
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0)
        return {-1, "pipe: " + std::string(strerror(errno))};
    UniqueFd read_end(ends[0]), write_end(ends[1]);
    pid_t pid;
    try {
        pid = PosixProcessLauncher().start({.argv = argv, .output_fd = write_end.get()});
    } catch (const std::exception& error) {
        return {-1, error.what()};
    }
    write_end.reset();
    CommandResult result;
    char buffer[1024];
    for (;;) {
        ssize_t n = read(read_end.get(), buffer, sizeof buffer);
        if (n > 0)
            result.output.append(buffer, n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    while (!result.output.empty() && result.output.back() == '\n')
        result.output.pop_back();
    return result;
}

}  // namespace re6st
