// One running child process: started at construction, watched until it ends,
// stopped politely (SIGTERM, then SIGKILL after a grace period).
#pragma once

#include "common/unique_fd.hpp"
#include "re6stnet/process/process_context.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace re6st {

// A command and the child's ends of the pipes made for it, which the parent
// closes once the child has them.
struct PreparedProcess {
    ProcessSpec spec;
    std::vector<UniqueFd> child_ends;
};

class Child {
public:
    using ExitHandler = std::function<void(int status)>;

    // Starts the process; throws std::system_error when it cannot. `on_exit`
    // runs from the event loop when it ends, unless the Child is gone.
    Child(const ProcessContext& context, std::string name, PreparedProcess process,
          ExitHandler on_exit);
    // Sends SIGTERM if still running; the reaper still collects it.
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const;
    bool running() const;
    const std::string& name() const;

    // SIGTERM now, SIGKILL after `grace`; `done` runs once it has ended (at
    // once if it already has). on_exit runs as well. A child still running
    // after `grace` is logged as ignoring SIGTERM, unless `lingers` says
    // that is to be expected.
    enum class Linger { unexpected, expected };
    void stop(std::chrono::milliseconds grace, std::function<void()> done = {},
              Linger lingers = Linger::unexpected);

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace re6st
