// An XML-RPC client over HTTP/1.1 (Boost.Asio + Beast; xmlrpc-c encodes the
// call and decodes the response). One connection per call, so a single-
// threaded event loop can have several calls in flight; nothing blocks it.
#pragma once

#include "common/url.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <xmlrpc-c/base.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace re6st {

// A failed call. The message is one line: "<url>: <method>: <what failed>".
class RpcError : public std::runtime_error {
public:
    enum class Kind {
        transport,      // resolving, connecting, sending or receiving failed
        timeout,        // the whole call outlasted RpcOptions::timeout
        http_status,    // an HTTP status other than 200
        bad_response,   // not an XML-RPC response, or over the size limit
        fault,          // an XML-RPC fault from the server
        cancelled,      // XmlRpcClient::cancel()
    };

    RpcError(Kind kind, const std::string& message, int code = 0, std::string detail = {});

    Kind kind() const { return kind_; }
    // Kind::fault: the fault code and string as the server sent them.
    // Kind::http_status: the status code and reason phrase.
    int code() const { return code_; }
    const std::string& detail() const { return detail_; }

private:
    Kind kind_;
    int code_;
    std::string detail_;
};

// What a call produced: the result value or the error.
class RpcResult {
public:
    explicit RpcResult(xmlrpc_c::value value) : outcome_(std::move(value)) {}
    explicit RpcResult(RpcError error) : outcome_(std::move(error)) {}

    bool ok() const { return outcome_.index() == 0; }
    // Throws the RpcError when the call failed.
    const xmlrpc_c::value& value() const;
    const RpcError& error() const;   // only when !ok()

private:
    std::variant<xmlrpc_c::value, RpcError> outcome_;
};

// What the body of an HTTP response with `status` says about a call: its
// result, or an RpcError of kind http_status, bad_response or fault. Does no
// I/O; the client adds the URL and method to the message.
RpcResult decode_response(unsigned status, std::string_view reason, const std::string& body);

struct RpcOptions {
    // For the whole call: resolving, connecting, sending and receiving.
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    // Bound before connecting: the registry authorises declare/getPeerList
    // by the caller's overlay address (docs/security.rst). Only hosts of the
    // same address family are tried.
    std::optional<boost::asio::ip::address> source;
    // Limit of the response body, in bytes.
    std::size_t max_response_bytes = 1 << 20;
};

class XmlRpcClient {
public:
    using Handler = std::function<void(RpcResult)>;

    XmlRpcClient(boost::asio::any_io_executor executor, Url url, RpcOptions options = {});
    // Aborts the calls in flight without invoking their handlers: whatever
    // they would call back into is going away too.
    ~XmlRpcClient();
    XmlRpcClient(const XmlRpcClient&) = delete;
    XmlRpcClient& operator=(const XmlRpcClient&) = delete;

    // Starts the call and returns at once; `handler` runs exactly once on the
    // executor (never inside call()), unless the client is destroyed first.
    void call(const std::string& method, const xmlrpc_c::paramList& params, Handler handler);

    // Ends every call in flight; their handlers get RpcError::Kind::cancelled.
    void cancel();

    const Url& url() const { return url_; }
    const RpcOptions& options() const { return options_; }

private:
    class Call;

    boost::asio::any_io_executor executor_;
    Url url_;
    RpcOptions options_;
    std::vector<std::weak_ptr<Call>> calls_;   // expired ones pruned at each call()
};

// For one-shot programs: makes one call on a private event loop and returns
// its result, or throws the RpcError.
xmlrpc_c::value call_blocking(const Url& url, const std::string& method,
                              const xmlrpc_c::paramList& params, const RpcOptions& options = {});

}  // namespace re6st
