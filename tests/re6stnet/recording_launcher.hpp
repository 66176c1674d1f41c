// A ProcessLauncher for tests: records every command it is asked to start
// and runs a harmless stand-in (sleep) instead, so reaping and signals are
// real while no OpenVPN or babeld runs. Programs named in `run_for_real`
// (a short command whose answer the code under test reads: openssl) run
// as they are, unrecorded.
#pragma once

#include "common/unique_fd.hpp"
#include "re6stnet/process/process_launcher.hpp"

#include <unistd.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace re6st::test {

class RecordingLauncher final : public ProcessLauncher {
public:
    pid_t start(const ProcessSpec& spec) override
    {
        if (fail_next) {
            fail_next = false;
            throw std::system_error(ENOENT, std::generic_category(), "cannot run " + spec.argv[0]);
        }
        if (run_for_real.count(spec.argv.at(0)))
            return real_.start(spec);
        ProcessSpec stand_in{.argv = {"sleep", "1000"}};
        pid_t pid = real_.start(stand_in);
        started.push_back(spec);
        pids.push_back(pid);
        // What the real child would keep: the end its hooks report on.
        if (!spec.extra_fds.empty())
            hook_ends[pid] = UniqueFd(dup(spec.extra_fds[0]));
        if (on_start)
            on_start(spec, pid);
        return pid;
    }
    void signal(pid_t pid, int sig) override
    {
        signals[pid].push_back(sig);
        if (on_signal)
            on_signal(pid, sig);
        real_.signal(pid, sig);
    }
    // The stand-in ends as if the real program had failed.
    void crash(pid_t pid) { real_.signal(pid, SIGKILL); }

    std::vector<ProcessSpec> started;
    std::vector<pid_t> pids;
    std::map<pid_t, std::vector<int>> signals;
    std::map<pid_t, UniqueFd> hook_ends;   // fd 3 of each child that has one
    bool fail_next = false;
    std::set<std::string> run_for_real;
    std::function<void(const ProcessSpec&, pid_t)> on_start;
    std::function<void(pid_t, int)> on_signal;

private:
    PosixProcessLauncher real_;
};

}  // namespace re6st::test
