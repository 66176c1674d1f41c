// One running child process.
#include "re6stnet/process/child.hpp"

#include "common/log.hpp"

#include <boost/asio/post.hpp>

#include <csignal>

namespace re6st {

struct Child::State {
    State(const ProcessContext& context, std::string name, ExitHandler on_exit)
        : io(context.io), launcher(context.launcher), clock(context.clock),
          name(std::move(name)), on_exit(std::move(on_exit)), kill_timer(clock.make_timer())
    {
    }

    boost::asio::io_context& io;
    ProcessLauncher& launcher;
    Clock& clock;
    std::string name;
    ExitHandler on_exit;
    pid_t pid = -1;
    bool running = false;
    bool owner_alive = true;
    std::unique_ptr<Timer> kill_timer;   // SIGKILL once the grace is over
    std::vector<std::function<void()>> stopped;
};

Child::Child(const ProcessContext& context, std::string name, PreparedProcess process,
             ExitHandler on_exit)
    : state_(std::make_shared<State>(context, std::move(name), std::move(on_exit)))
{
    state_->pid = context.launcher.start(process.spec);
    state_->running = true;
    process.child_ends.clear();   // the child has its own copies now
    log::debug(state_->name, ": started, pid ", state_->pid);
    context.reaper.watch(state_->pid, [state = state_](int status) {
        state->running = false;
        state->kill_timer->cancel();
        log::debug(state->name, ": pid ", state->pid, " ", describe_exit(status));
        auto stopped = std::move(state->stopped);
        if (state->owner_alive && state->on_exit)
            state->on_exit(status);
        for (auto& done : stopped)
            done();
    });
}

Child::~Child()
{
    state_->owner_alive = false;
    if (state_->running)
        state_->launcher.signal(state_->pid, SIGTERM);
}

pid_t Child::pid() const { return state_->pid; }
bool Child::running() const { return state_->running; }
const std::string& Child::name() const { return state_->name; }

void Child::stop(std::chrono::milliseconds grace, std::function<void()> done, Linger lingers)
{
    if (!state_->running) {
        if (done)
            boost::asio::post(state_->io, std::move(done));
        return;
    }
    if (done)
        state_->stopped.push_back(std::move(done));
    state_->launcher.signal(state_->pid, SIGTERM);
    auto* state = state_.get();   // the timer is the state's: it cannot outlive it
    state->clock.wait_for(*state->kill_timer, grace, [state, lingers] {
        if (!state->running)
            return;
        if (lingers == Linger::expected)
            log::info(state->name, ": killing pid ", state->pid);
        else
            log::warning(state->name, ": pid ", state->pid, " ignored SIGTERM, killing it");
        state->launcher.signal(state->pid, SIGKILL);
    });
}

}  // namespace re6st
