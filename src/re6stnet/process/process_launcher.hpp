// Starting and signalling child processes (OpenVPN, babeld), behind an
// interface so that the logic that decides what to start can be tested with
// a recording launcher instead of real processes.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace re6st {

struct ProcessSpec {
    std::vector<std::string> argv;   // argv[0] is looked up in PATH; never a shell
    int input_fd = -1;               // the child's stdin; -1: /dev/null
    int output_fd = -1;              // the child's stdout and stderr; -1: /dev/null
    std::vector<int> extra_fds;      // become fds 3, 4, ... of the child
    bool die_with_parent = false;    // PR_SET_PDEATHSIG(SIGTERM)
};

class ProcessLauncher {
public:
    virtual ~ProcessLauncher() = default;
    // Returns the pid. Throws std::system_error when the process cannot be
    // started, including when the program cannot be executed.
    virtual pid_t start(const ProcessSpec& spec) = 0;
    virtual void signal(pid_t pid, int signal) = 0;
};

// fork + execvp. The child gets its own process group (a Ctrl-C on the
// daemon's terminal reaches the daemon only, which stops children in order),
// default signal dispositions, an empty signal mask and no other open fds.
class PosixProcessLauncher final : public ProcessLauncher {
public:
    pid_t start(const ProcessSpec& spec) override;
    void signal(pid_t pid, int signal) override;
};

}  // namespace re6st
