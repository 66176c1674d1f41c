// Runs calls on the worker pools.
#include "registry/call_dispatcher.hpp"

#include "common/log.hpp"

#include <boost/asio/post.hpp>

namespace re6st::registry {

std::string_view peek_method_name(std::string_view body)
{
    constexpr std::string_view tag = "<methodName>";
    auto start = body.find(tag);
    if (start == body.npos)
        return {};
    start += tag.size();
    auto end = body.find('<', start);
    if (end == body.npos)
        return {};
    auto name = body.substr(start, end - start);
    constexpr std::string_view space = " \t\r\n";
    auto first = name.find_first_not_of(space);
    if (first == name.npos)
        return {};
    return name.substr(first, name.find_last_not_of(space) - first + 1);
}

CallDispatcher::CallDispatcher(const XmlRpcProcessor& processor, Settings settings,
                               Observer observer)
    : processor_(processor),
      settings_(settings),
      observer_(std::move(observer)),
      workers_(settings.workers),
      mail_workers_(settings.mail_workers)
{
}

CallDispatcher::~CallDispatcher()
{
    join();
}

std::string CallDispatcher::process(const std::string& body, const CallContext& context,
                                   std::chrono::steady_clock::time_point dispatched) const
{
    auto response = processor_.process(body, context);
    if (observer_)
        observer_(peek_method_name(body), context, std::chrono::steady_clock::now() - dispatched);
    return response;
}

void CallDispatcher::dispatch(std::string body, std::string peer_address, Done done)
{
    auto dispatched = std::chrono::steady_clock::now();
    if (peek_method_name(body) != "requestToken") {
        boost::asio::post(workers_, [this, body = std::move(body), dispatched,
                                     peer = std::move(peer_address), done = std::move(done)] {
            done(process(body, CallContext(peer, false), dispatched));
        });
        return;
    }
    if (mail_pending_.fetch_add(1) >= settings_.mail_queue) {
        mail_pending_.fetch_sub(1);
        log::warning("requestToken from ", peer_address, " refused: ", settings_.mail_queue,
                     " token requests pending");
        auto response = fault_response(fault_code(RequestError::Kind::busy),
                                       "too many pending token requests: try again later");
        // No method ran: the observer sees a fault.
        if (observer_)
            observer_(peek_method_name(body), CallContext(peer_address, true),
                      std::chrono::steady_clock::now() - dispatched);
        done(std::move(response));
        return;
    }
    boost::asio::post(mail_workers_, [this, body = std::move(body), dispatched,
                                      peer = std::move(peer_address), done = std::move(done)] {
        auto response = process(body, CallContext(peer, true), dispatched);
        mail_pending_.fetch_sub(1);
        done(std::move(response));
    });
}

void CallDispatcher::join()
{
    workers_.join();
    mail_workers_.join();
}

}  // namespace re6st::registry
