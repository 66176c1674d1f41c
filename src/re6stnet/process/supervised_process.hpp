// A child that must keep running (babeld, an OpenVPN server): restarted when
// it dies, after a delay that grows while it keeps dying young, so a child
// that cannot start does not spin.
#pragma once

#include "re6stnet/process/child.hpp"

#include <memory>
#include <optional>

namespace re6st {

struct RestartDelays {
    std::chrono::milliseconds first{1000};     // before the first restart
    std::chrono::milliseconds longest{60000};
    std::chrono::milliseconds healthy{60000};  // a run this long resets the delay
};

class SupervisedProcess {
public:
    using Delays = RestartDelays;
    // Builds a fresh command, with fresh pipes, for each start.
    using Prepare = std::function<PreparedProcess()>;

    SupervisedProcess(const ProcessContext& context, std::string name, Prepare prepare,
                      Delays delays = {});

    // Starts it now; a restart it had scheduled will not start a second one.
    void start();
    // Replaces the running process by a fresh one, with a fresh command
    // (which reads its files again): SIGTERM (SIGKILL after `grace`, which
    // a process that ends slowly may be expected to need), then a start
    // as soon as it has ended, with no restart delay. Starts it if it is
    // not running.
    void replace(std::chrono::milliseconds grace,
                 Child::Linger lingers = Child::Linger::unexpected);
    // Stops for good; `done` once the process has ended.
    void stop(std::chrono::milliseconds grace, std::function<void()> done);

    // Called after each successful start, with the new pid.
    std::function<void(pid_t)> on_started;
    // Called when it ends unasked (not stopped or replaced), before the
    // restart is scheduled.
    std::function<void()> on_died;

    bool running() const { return child_ && child_->running(); }
    pid_t pid() const { return child_ ? child_->pid() : -1; }
    unsigned starts() const { return starts_; }

private:
    void launch();
    void died(int status);
    void schedule_restart();

    ProcessContext context_;
    std::string name_;
    Prepare prepare_;
    Delays delays_;
    std::optional<Child> child_;
    std::unique_ptr<Timer> restart_timer_;
    std::chrono::milliseconds delay_;
    Clock::time_point started_at_;
    unsigned starts_ = 0;
    bool stopping_ = false;
    bool replacing_ = false;
};

}  // namespace re6st
