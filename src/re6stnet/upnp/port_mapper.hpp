// UPnP port mappings for the node's OpenVPN servers: each
// --pp port with its own protocol to a random free external port, renewed
// before its lease ends, removed at exit. miniupnpc blocks on HTTP, so a
// worker thread talks to the gateway and posts results to the event loop.
#pragma once

#include "common/endpoint.hpp"
#include "re6stnet/config.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace re6st {

class PortMapper {
public:
    struct Settings {
        std::chrono::milliseconds discovery{2000};
        std::chrono::seconds lease{3600};         // renewed at half
        std::chrono::seconds rediscover{300};     // after finding no gateway
    };
    // Called from the loop with the endpoints to advertise; empty when there
    // is no gateway (or it stopped answering).
    using Mapped = std::function<void(std::vector<Endpoint>)>;

    PortMapper(boost::asio::io_context& io, std::vector<ServerPort> servers, Settings settings,
               Mapped mapped);
    // Stops the worker, which removes the mappings first.
    ~PortMapper();
    void stop();

private:
    void work();
    // Waits `duration` unless stopped first; false when stopped.
    bool wait(std::chrono::seconds duration);

    boost::asio::io_context& io_;
    std::vector<ServerPort> servers_;
    Settings settings_;
    Mapped mapped_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    // Results posted to the loop after we are gone are dropped.
    std::shared_ptr<int> alive_ = std::make_shared<int>();
    std::thread worker_;
};

}  // namespace re6st
