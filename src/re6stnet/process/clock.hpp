// The daemon's time: what it is now, and timers that call back from the
// event loop. An interface, so that tests step time by hand (a fake clock)
// instead of waiting for it; SteadyClock is the real one.
//
// A timer runs its handler only for its latest wait: a new wait or a cancel
// makes any earlier handler a no-op, even one the loop has already queued
// (a generation count), so a late callback never acts twice.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace re6st {

class Timer {
public:
    using time_point = std::chrono::steady_clock::time_point;
    using duration = std::chrono::steady_clock::duration;

    virtual ~Timer() = default;   // cancels
    // Replaces any pending wait.
    virtual void wait_until(time_point when, std::function<void()> handler) = 0;
    virtual void cancel() = 0;
};

class Clock {
public:
    using time_point = Timer::time_point;
    using duration = Timer::duration;

    virtual ~Clock() = default;
    virtual time_point now() const = 0;
    virtual std::unique_ptr<Timer> make_timer() = 0;

    void wait_for(Timer& timer, duration delay, std::function<void()> handler)
    {
        timer.wait_until(now() + delay, std::move(handler));
    }
};

// std::chrono::steady_clock and Boost.Asio timers on `io`.
class SteadyClock final : public Clock {
public:
    explicit SteadyClock(boost::asio::io_context& io) : io_(io) {}
    time_point now() const override { return std::chrono::steady_clock::now(); }
    std::unique_ptr<Timer> make_timer() override;

private:
    boost::asio::io_context& io_;
};

}  // namespace re6st
