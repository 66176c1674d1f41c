// The XML-RPC methods (docs/re6st-registry.rst) over a RegistryService,
// and the processing of one request body into one response body with xmlrpc-c.
#pragma once

#include "registry/call_context.hpp"
#include "registry/registry_service.hpp"
#include "registry/request_error.hpp"

#include <xmlrpc-c/registry.hpp>

#include <array>
#include <string>
#include <string_view>

namespace re6st::registry {

// Every method the processor serves (the constructor checks it), for
// whoever counts calls by method.
inline constexpr std::array<std::string_view, 10> method_names = {
    "requestToken", "requestCertificate", "renewCertificate", "getCa", "getPrivateAddress",
    "getBootstrapPeer", "getNetworkConfig", "declare", "getPeerList", "reportTunnels"};

// The XML-RPC fault code of each kind of RequestError; other failures are
// xmlrpc-c's own codes (-501 wrong parameter type or count, -503 malformed or
// oversized XML, -506 unknown method) or -500 (internal error).
int fault_code(RequestError::Kind kind);

// A methodResponse carrying a fault.
std::string fault_response(int code, const std::string& message);

class XmlRpcProcessor {
public:
    // `max_call_size` raises xmlrpc-c's own limit on a call's XML (512 KiB by
    // default, process-wide) to what the HTTP layer accepts.
    XmlRpcProcessor(RegistryService& service, std::size_t max_call_size);

    // The response to one request body. Never throws.
    std::string process(const std::string& body, const CallContext& context) const;

    // What xmlrpc-c writes around the value of a successful response.
    struct Frame {
        std::string head;
        std::string tail;
    };

private:
    void add(std::string_view name, xmlrpc_c::method2* method);

    // A method that writes its response itself (head + value + tail) returns,
    // through xmlrpc-c, a string holding this secret and an index. When the
    // call is alone, process() answers with the written response as it is;
    // inside system.multicall, it swaps the placeholder's value for the
    // written value. Random per process, so no caller can forge it.
    std::string placeholder_;
    Frame frame_;
    xmlrpc_c::registry registry_;
};

}  // namespace re6st::registry
