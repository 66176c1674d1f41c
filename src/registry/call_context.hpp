// What the HTTP layer knows about a call and the methods need: the caller's
// real address (which authorises declare and getPeerList, and the reason the
// registry has its own HTTP layer) and which pool runs the call. Methods that write their response
// XML themselves leave it here, and every method says how it ended.
#pragma once

#include <xmlrpc-c/registry.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace re6st::registry {

// How a method ended: a result; a fault the caller should read (a bad or
// refused request, or one that cannot be served now); or a failure of the
// registry itself (internal error, logged). Worse outcomes compare greater.
enum class CallOutcome { ok, fault, error };

class CallContext : public xmlrpc_c::callInfo {
public:
    CallContext(std::string peer_address, bool on_mail_pool)
        : peer_address(std::move(peer_address)), on_mail_pool(on_mail_pool) {}

    // IPv6 in RFC 5952 form, IPv4 dotted (v4-mapped IPv6 addresses unmapped).
    const std::string peer_address;
    // requestToken may block on SMTP: it only runs on the bounded mail pool.
    const bool on_mail_pool;
    // Responses written directly by methods, in call order, each the whole
    // response the call has when it is alone; see XmlRpcProcessor.
    // (xmlrpc-c hands methods a const callInfo.)
    mutable std::vector<std::string> raw_responses;

    // Every method the call ran, in order: one, several inside
    // system.multicall, none for a call that is not XML-RPC or names an
    // unknown method.
    struct Ran {
        std::string_view method;   // a name with static storage
        CallOutcome outcome;
    };
    mutable std::vector<Ran> ran;
    void record(std::string_view method, CallOutcome outcome) const
    {
        ran.push_back({method, outcome});
    }
    // The worst outcome of the methods run; a fault when none ran.
    CallOutcome outcome() const
    {
        if (ran.empty())
            return CallOutcome::fault;
        auto worst = CallOutcome::ok;
        for (const auto& method : ran)
            worst = std::max(worst, method.outcome);
        return worst;
    }
};

}  // namespace re6st::registry
