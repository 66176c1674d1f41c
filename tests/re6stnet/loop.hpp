// Runs an io_context until a condition holds, with a safety timeout.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace re6st::test {

template <class Done>
bool run_until(boost::asio::io_context& io, Done done,
               std::chrono::milliseconds limit = std::chrono::seconds(10))
{
    io.restart();
    bool timed_out = false;
    boost::asio::steady_timer timeout(io, limit);
    timeout.async_wait([&](const boost::system::error_code& error) {
        if (!error)
            timed_out = true;
    });
    while (!done() && !timed_out)
        io.run_one();
    timeout.cancel();
    io.poll();
    return done();
}

}  // namespace re6st::test
