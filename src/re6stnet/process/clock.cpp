// Real time, on Boost.Asio timers.
#include "re6stnet/process/clock.hpp"

#include <boost/asio/steady_timer.hpp>

namespace re6st {

namespace {

class AsioTimer final : public Timer {
public:
    explicit AsioTimer(boost::asio::io_context& io) : state_(std::make_shared<State>(io)) {}
    ~AsioTimer() override { cancel(); }

    void wait_until(time_point when, std::function<void()> handler) override
    {
        auto generation = ++state_->generation;
        state_->timer.expires_at(when);
        state_->timer.async_wait([state = state_, generation, handler = std::move(handler)](
                                     const boost::system::error_code& error) {
            if (!error && state->generation == generation)
                handler();
        });
    }

    void cancel() override
    {
        ++state_->generation;
        state_->timer.cancel();
    }

private:
    // Shared with the pending handler, which may outlive the timer.
    struct State {
        explicit State(boost::asio::io_context& io) : timer(io) {}
        boost::asio::steady_timer timer;
        unsigned generation = 0;
    };
    std::shared_ptr<State> state_;
};

}  // namespace

std::unique_ptr<Timer> SteadyClock::make_timer()
{
    return std::make_unique<AsioTimer>(io_);
}

}  // namespace re6st
