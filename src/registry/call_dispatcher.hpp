// Runs calls off the HTTP thread. requestToken, which waits on SMTP, gets its
// own small pool with a bounded queue, so that a slow or dead mail server
// never delays the other methods; when that queue is full the call is refused
// with a fault at once instead of waiting.
#pragma once

#include "registry/xmlrpc_methods.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
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
    // Told of each call when it is answered, on the thread that answered it:
    // the method it names (peek_method_name), what ran and how it ended,
    // and the time since dispatch (queueing included).
    using Observer = std::function<void(std::string_view method, const CallContext& context,
                                        std::chrono::steady_clock::duration elapsed)>;

    CallDispatcher(const XmlRpcProcessor& processor, Settings settings, Observer observer = {});
    ~CallDispatcher();

    // Processes `body` from `peer_address` on a pool thread and hands the
    // response to `done` on that thread (or at once on the calling thread
    // when the call is refused for a full queue).
    void dispatch(std::string body, std::string peer_address, Done done);

    // Waits for the calls in progress and stops the threads.
    void join();

private:
    // The response, once the observer is told.
    std::string process(const std::string& body, const CallContext& context,
                        std::chrono::steady_clock::time_point dispatched) const;

    const XmlRpcProcessor& processor_;
    Settings settings_;
    Observer observer_;
    boost::asio::thread_pool workers_;
    boost::asio::thread_pool mail_workers_;
    std::atomic<unsigned> mail_pending_{0};
};

}  // namespace re6st::registry
