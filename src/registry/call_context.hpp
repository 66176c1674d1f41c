// What the HTTP layer knows about a call and the methods need: the caller's
// real address (which authorises declare and getPeerList, and the reason the
// registry has its own HTTP layer) and which pool runs the call. Methods that write their response
// XML themselves leave it here.
#pragma once

#include <xmlrpc-c/registry.hpp>

#include <string>
#include <vector>

namespace re6st::registry {

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
};

}  // namespace re6st::registry
