// A Clock for tests: time stands still until the test advances it; timers
// that come due then run from the loop, in deadline order, as real ones
// would. No test waits on the real clock.
#pragma once

#include "re6stnet/process/clock.hpp"

#include <boost/asio/post.hpp>

#include <map>
#include <memory>

namespace re6st::test {

class FakeClock final : public Clock {
public:
    explicit FakeClock(boost::asio::io_context& io) : io_(io) {}

    time_point now() const override { return now_; }

    std::unique_ptr<Timer> make_timer() override { return std::make_unique<FakeTimer>(*this); }

    // Moves time forward, posting the handlers of the timers due by then.
    void advance(duration step)
    {
        now_ += step;
        post_due();
    }

    // Waits still pending (not cancelled), for tests that check what is
    // scheduled, and the earliest of their deadlines.
    std::size_t pending() const
    {
        std::size_t count = 0;
        for (const auto& [when, wait] : waits_)
            count += *wait.generation == wait.expected;
        return count;
    }
    time_point next_deadline() const
    {
        for (const auto& [when, wait] : waits_)
            if (*wait.generation == wait.expected)
                return when;
        return time_point::max();
    }

private:
    struct Wait {
        std::shared_ptr<unsigned> generation;   // the timer's, shared
        unsigned expected;
        std::function<void()> handler;
    };

    class FakeTimer final : public Timer {
    public:
        explicit FakeTimer(FakeClock& clock) : clock_(clock) {}
        ~FakeTimer() override { cancel(); }
        void wait_until(time_point when, std::function<void()> handler) override
        {
            clock_.waits_.emplace(when, Wait{generation_, ++*generation_, std::move(handler)});
            clock_.post_due();
        }
        void cancel() override { ++*generation_; }

    private:
        FakeClock& clock_;
        std::shared_ptr<unsigned> generation_ = std::make_shared<unsigned>(0);
    };

    void post_due()
    {
        while (!waits_.empty() && waits_.begin()->first <= now_) {
            auto wait = std::move(waits_.begin()->second);
            waits_.erase(waits_.begin());
            if (*wait.generation != wait.expected)
                continue;
            boost::asio::post(io_, [wait = std::move(wait)] {
                if (*wait.generation == wait.expected)
                    wait.handler();
            });
        }
        // Cancelled waits are dropped as they come due; drop them now too.
        for (auto it = waits_.begin(); it != waits_.end();)
            it = *it->second.generation != it->second.expected ? waits_.erase(it) : std::next(it);
    }

    boost::asio::io_context& io_;
    time_point now_{std::chrono::hours(1)};
    std::multimap<time_point, Wait> waits_;
};

}  // namespace re6st::test
