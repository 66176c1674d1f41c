// Keeping a child running.
#include "re6stnet/supervised_process.hpp"

#include "common/log.hpp"

#include <system_error>

namespace re6st {

SupervisedProcess::SupervisedProcess(boost::asio::io_context& io, ProcessLauncher& launcher,
                                     ChildReaper& reaper, std::string name, Prepare prepare,
                                     Delays delays)
    : io_(io), launcher_(launcher), reaper_(reaper), name_(std::move(name)),
      prepare_(std::move(prepare)), delays_(delays), restart_timer_(io), delay_(delays.first)
{
}

void SupervisedProcess::start()
{
    stopping_ = false;
    launch();
}

void SupervisedProcess::launch()
{
    try {
        child_.emplace(io_, launcher_, reaper_, name_, prepare_(),
                       [this](int status) { died(status); });
    } catch (const std::exception& error) {
        child_.reset();
        log::error(name_, ": cannot start: ", error.what());
        schedule_restart();
        return;
    }
    ++starts_;
    started_at_ = std::chrono::steady_clock::now();
    if (on_started)
        on_started(child_->pid());
}

void SupervisedProcess::died(int status)
{
    if (stopping_)
        return;
    log::warning(name_, " ", describe_exit(status));
    if (std::chrono::steady_clock::now() - started_at_ >= delays_.healthy)
        delay_ = delays_.first;
    schedule_restart();
}

void SupervisedProcess::schedule_restart()
{
    log::info(name_, ": restarting in ", delay_.count(), " ms");
    restart_timer_.expires_after(delay_);
    delay_ = std::min(delay_ * 2, delays_.longest);
    restart_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error && !stopping_)
            launch();
    });
}

void SupervisedProcess::stop(std::chrono::milliseconds grace, std::function<void()> done)
{
    stopping_ = true;
    restart_timer_.cancel();
    if (child_)
        child_->stop(grace, std::move(done));
    else if (done)
        done();
}

}  // namespace re6st
