// Keeping a child running.
#include "re6stnet/process/supervised_process.hpp"

#include "common/log.hpp"

#include <system_error>

namespace re6st {

SupervisedProcess::SupervisedProcess(const ProcessContext& context, std::string name,
                                     Prepare prepare, Delays delays)
    : context_(context), name_(std::move(name)), prepare_(std::move(prepare)), delays_(delays),
      restart_timer_(context.clock.make_timer()), delay_(delays.first)
{
}

void SupervisedProcess::start()
{
    stopping_ = false;
    restart_timer_->cancel();
    if (!running())
        launch();
}

void SupervisedProcess::launch()
{
    try {
        child_.emplace(context_, name_, prepare_(), [this](int status) { died(status); });
    } catch (const std::exception& error) {
        child_.reset();
        log::error(name_, ": cannot start: ", error.what());
        schedule_restart();
        return;
    }
    ++starts_;
    started_at_ = context_.clock.now();
    if (on_started)
        on_started(child_->pid());
}

void SupervisedProcess::replace(std::chrono::milliseconds grace, Child::Linger lingers)
{
    if (stopping_ || replacing_)
        return;
    if (!running()) {
        start();
        return;
    }
    log::info(name_, ": replacing pid ", child_->pid());
    replacing_ = true;
    child_->stop(grace, [this] {
        replacing_ = false;
        if (!stopping_)
            launch();
    }, lingers);
}

void SupervisedProcess::died(int status)
{
    if (stopping_ || replacing_)
        return;
    log::warning(name_, " ", describe_exit(status));
    if (on_died)
        on_died();
    if (context_.clock.now() - started_at_ >= delays_.healthy)
        delay_ = delays_.first;
    schedule_restart();
}

void SupervisedProcess::schedule_restart()
{
    log::info(name_, ": restarting in ", delay_.count(), " ms");
    context_.clock.wait_for(*restart_timer_, delay_, [this] {
        if (!stopping_)
            launch();
    });
    delay_ = std::min(delay_ * 2, delays_.longest);
}

void SupervisedProcess::stop(std::chrono::milliseconds grace, std::function<void()> done)
{
    stopping_ = true;
    replacing_ = false;
    restart_timer_->cancel();
    if (child_)
        child_->stop(grace, std::move(done));
    else if (done)
        done();
}

}  // namespace re6st
