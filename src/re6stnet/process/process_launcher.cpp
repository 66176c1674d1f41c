// fork + execvp with a close-on-exec pipe that reports exec failures.
#include "re6stnet/process/process_launcher.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace re6st {

namespace {

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            close(fd);
    }
};

// Runs in the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(const ProcessSpec& spec, char* const* argv, int report_pipe,
                             pid_t parent)
{
    int count = spec.extra_fds.size();
    // Keep the report pipe above the fds we hand over.
    int report_fd = fcntl(report_pipe, F_DUPFD_CLOEXEC, 3 + count);
    if (report_fd < 0)
        _exit(127);
    auto fail = [&] {
        int error = errno;
        [[maybe_unused]] auto n = write(report_fd, &error, sizeof error);
        _exit(127);
    };
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig)
        signal(sig, SIG_DFL);
    if (spec.die_with_parent) {
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
            fail();
        if (getppid() != parent)   // the parent died before prctl
            _exit(1);
    }

    // Move every fd we pass out of the way of its target number first.
    int moved[64];
    if (count > 64) {
        errno = EMFILE;
        fail();
    }
    for (int i = 0; i < count; ++i)
        if ((moved[i] = fcntl(spec.extra_fds[i], F_DUPFD, 3 + count + 1)) < 0)
            fail();
    int output = spec.output_fd >= 0 ? fcntl(spec.output_fd, F_DUPFD, 3 + count + 1)
                                     : open("/dev/null", O_WRONLY);
    int input = spec.input_fd >= 0 ? fcntl(spec.input_fd, F_DUPFD, 3 + count + 1)
                                   : open("/dev/null", O_RDONLY);
    if (output < 0 || input < 0)
        fail();
    if (dup2(input, 0) < 0 || dup2(output, 1) < 0 || dup2(output, 2) < 0)
        fail();
    for (int i = 0; i < count; ++i)
        if (dup2(moved[i], 3 + i) < 0)
            fail();
    // Close everything else but the report pipe, which is close-on-exec.
    if (report_fd > 3 + count)
        close_range(3 + count, report_fd - 1, 0);
    close_range(report_fd + 1, ~0U, 0);
    execvp(argv[0], argv);
    fail();
    _exit(127);
}

}  // namespace

pid_t PosixProcessLauncher::start(const ProcessSpec& spec)
{
    if (spec.argv.empty())
        throw std::system_error(EINVAL, std::generic_category(), "empty command");
    std::vector<char*> argv;
    for (const auto& arg : spec.argv)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe");
    Fd read_end{report[0]}, write_end{report[1]};
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0)
        exec_child(spec, argv.data(), write_end.fd, parent);

    close(write_end.fd);
    write_end.fd = -1;
    int error = 0;
    ssize_t n;
    do
        n = read(read_end.fd, &error, sizeof error);
    while (n < 0 && errno == EINTR);
    if (n == sizeof error) {
        // exec failed: the child has exited already; collect it here.
        waitpid(pid, nullptr, 0);
        throw std::system_error(error, std::generic_category(), "cannot run " + spec.argv[0]);
    }
    return pid;
}

void PosixProcessLauncher::signal(pid_t pid, int signal)
{
    if (pid > 0)
        kill(pid, signal);
}

}  // namespace re6st
