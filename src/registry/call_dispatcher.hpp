// Runs calls off the HTTP thread. requestToken, which waits on SMTP, gets its
// own small pool with a bounded queue, so that a slow or dead mail server
// never delays the other methods; when that queue is full the call is refused
// with a fault at once instead of waiting.
#pragma once

#include "registry/xmlrpc_methods.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

namespace re6st::registry {

// The text between the first <methodName> and the next '<', trimmed; "" if
// none. Only chooses a pool: xmlrpc-c still parses and dispatches the call.
std::string_view peek_method_name(std::string_view body);

class CallDispatcher {
public:
    struct Settings {
        unsigned workers = 2;        // threads for every method but requestToken
        unsigned mail_workers = 4;   // threads for requestToken
        unsigned mail_queue = 16;    // requestToken calls waiting or running, at most
    };
    using Done = std::function<void(std::string response)>;

    CallDispatcher(const XmlRpcProcessor& processor, Settings settings);
    ~CallDispatcher();

    // Processes `body` from `peer_address` on a pool thread and hands the
    // response to `done` on that thread (or at once on the calling thread
    // when the call is refused for a full queue).
    void dispatch(std::string body, std::string peer_address, Done done);

    // Waits for the calls in progress and stops the threads.
    void join();

private:
    const XmlRpcProcessor& processor_;
    Settings settings_;
    boost::asio::thread_pool workers_;
    boost::asio::thread_pool mail_workers_;
    std::atomic<unsigned> mail_pending_{0};
};

}  // namespace re6st::registry
