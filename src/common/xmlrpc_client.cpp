// XML-RPC calls over HTTP/1.1: one connection per call, one deadline per call.
#include "common/xmlrpc_client.hpp"

#include "common/xml_document_type.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/xml.hpp>

#include <algorithm>
#include <sstream>

namespace re6st {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

// Messages are single lines even when a server's fault string is not.
std::string one_line(std::string text)
{
    std::replace_if(text.begin(), text.end(),
                    [](unsigned char c) { return c < ' ' || c == 0x7f; }, ' ');
    return text;
}

std::string to_string(const tcp::endpoint& endpoint)
{
    std::ostringstream text;
    text << endpoint;
    return text.str();
}

}  // namespace

RpcError::RpcError(Kind kind, const std::string& message, int code, std::string detail)
    : std::runtime_error(one_line(message)), kind_(kind), code_(code), detail_(std::move(detail))
{
}

const xmlrpc_c::value& RpcResult::value() const
{
    if (!ok())
        throw std::get<RpcError>(outcome_);
    return std::get<xmlrpc_c::value>(outcome_);
}

const RpcError& RpcResult::error() const
{
    return std::get<RpcError>(outcome_);
}

RpcResult decode_response(unsigned status, std::string_view reason, const std::string& body)
{
    if (status != 200)
        return RpcResult(RpcError(RpcError::Kind::http_status,
                                  "HTTP status " + std::to_string(status) + " " + std::string(reason),
                                  int(status), std::string(reason)));
    // Whoever answers (a fake registry, a man in the middle) could otherwise
    // exhaust this process's memory through entity expansion.
    if (may_declare_document_type(body))
        return RpcResult(RpcError(RpcError::Kind::bad_response,
                                  "response refused: a document type declaration (or UTF-16 "
                                  "text, which may hide one) could exhaust memory by entity "
                                  "expansion"));
    xmlrpc_c::rpcOutcome outcome;
    try {
        xmlrpc_c::xml::parseResponse(body, &outcome);
    } catch (const std::exception& parse_error) {
        return RpcResult(RpcError(RpcError::Kind::bad_response,
                                  std::string("malformed XML-RPC response: ") + parse_error.what()));
    }
    if (outcome.succeeded())
        return RpcResult(outcome.getResult());
    auto fault = outcome.getFault();
    return RpcResult(RpcError(RpcError::Kind::fault,
                              "fault " + std::to_string(int(fault.getCode())) + ": "
                                  + fault.getDescription(),
                              int(fault.getCode()), fault.getDescription()));
}

// One call: resolve → connect (each address in turn) → send → receive, under
// one deadline. At most one socket operation is pending besides the timer;
// a timeout or cancel() closes the socket, and the pending operation's
// completion then reports why the call stopped.
class XmlRpcClient::Call : public std::enable_shared_from_this<Call> {
public:
    Call(asio::any_io_executor executor, const Url& url, const RpcOptions& options,
         const std::string& method, std::string body, Handler handler)
        : url_(url), options_(options), method_(method), resolver_(executor),
          socket_(executor), deadline_(executor), handler_(std::move(handler))
    {
        request_.method(http::verb::post);
        request_.target(url.path);
        request_.version(11);
        request_.set(http::field::host, url.host_port());
        request_.set(http::field::user_agent, "re6stnet/" RE6ST_VERSION);
        request_.set(http::field::content_type, "text/xml");
        request_.keep_alive(false);
        request_.body() = std::move(body);
        request_.prepare_payload();
    }

    void start()
    {
        deadline_.expires_after(options_.timeout);
        deadline_.async_wait([self = shared_from_this()](error_code error) {
            if (!error)
                self->stop(Stop::timeout);
        });
        if (auto address = literal_address()) {
            endpoints_.emplace_back(*address, url_.port);
            asio::post(socket_.get_executor(),
                       [self = shared_from_this()] { self->connect_next(); });
            return;
        }
        resolver_.async_resolve(url_.host, std::to_string(url_.port),
                                tcp::resolver::numeric_service,
                                [self = shared_from_this()](error_code error,
                                                            tcp::resolver::results_type results) {
                                    self->resolved(error, results);
                                });
    }

    void cancel() { stop(Stop::cancelled); }

    void abandon()
    {
        handler_ = nullptr;
        stop(Stop::abandoned);
    }

private:
    enum class Stop { running, timeout, cancelled, abandoned };

    std::optional<asio::ip::address> literal_address() const
    {
        error_code error;
        auto address = asio::ip::make_address(url_.host, error);
        if (error)
            return std::nullopt;
        return address;
    }

    void stop(Stop why)
    {
        if (stopped_ != Stop::running || finished_)
            return;
        stopped_ = why;
        error_code ignored;
        resolver_.cancel();
        socket_.close(ignored);
        deadline_.cancel();
    }

    // True when a timeout or cancel() ended the call; reports it.
    bool reported_stop()
    {
        switch (stopped_) {
        case Stop::running: return false;
        case Stop::timeout:
            finish(RpcError(RpcError::Kind::timeout,
                            "timed out after " + std::to_string(options_.timeout.count())
                                + " ms " + phase_));
            return true;
        case Stop::cancelled:
            finish(RpcError(RpcError::Kind::cancelled, "call cancelled"));
            return true;
        case Stop::abandoned: return true;
        }
        return true;
    }

    void resolved(error_code error, const tcp::resolver::results_type& results)
    {
        if (reported_stop())
            return;
        if (error)
            return fail(RpcError::Kind::transport,
                        "cannot resolve " + url_.host + ": " + error.message());
        for (const auto& entry : results) {
            auto endpoint = entry.endpoint();
            if (!options_.source || endpoint.address().is_v6() == options_.source->is_v6())
                endpoints_.push_back(endpoint);
        }
        if (endpoints_.empty())
            return fail(RpcError::Kind::transport,
                        url_.host + " has no address of the family of the source address "
                            + options_.source->to_string());
        connect_next();
    }

    void connect_next()
    {
        if (reported_stop())
            return;
        if (next_endpoint_ == endpoints_.size())
            return fail(RpcError::Kind::transport, "cannot connect to " + connect_error_);
        auto endpoint = endpoints_[next_endpoint_++];
        if (options_.source && endpoint.address().is_v6() != options_.source->is_v6())
            return fail(RpcError::Kind::transport,
                        "cannot reach " + endpoint.address().to_string()
                            + " from the source address " + options_.source->to_string()
                            + " of another family");
        error_code error;
        socket_.close(error);
        socket_.open(endpoint.protocol(), error);
        if (error)
            return fail(RpcError::Kind::transport, "cannot open a socket: " + error.message());
        if (options_.source) {
            socket_.bind(tcp::endpoint(*options_.source, 0), error);
            if (error)
                return fail(RpcError::Kind::transport, "cannot bind to the source address "
                                                           + options_.source->to_string() + ": "
                                                           + error.message());
        }
        phase_ = "while connecting to " + to_string(endpoint);
        socket_.async_connect(endpoint, [self = shared_from_this(), endpoint](error_code error) {
            if (error && self->stopped_ == Stop::running) {
                self->connect_error_ = to_string(endpoint) + ": " + error.message();
                return self->connect_next();
            }
            self->send();
        });
    }

    void send()
    {
        if (reported_stop())
            return;
        phase_ = "while sending the request";
        http::async_write(socket_, request_,
                          [self = shared_from_this()](error_code error, std::size_t) {
                              self->sent(error);
                          });
    }

    void sent(error_code error)
    {
        if (reported_stop())
            return;
        if (error)
            return fail(RpcError::Kind::transport, "sending the request failed: " + error.message());
        phase_ = "waiting for the response";
        parser_.body_limit(options_.max_response_bytes);
        // The header alone first: Beast 1.74's eager parsing (what async_read
        // does) loses the body_limit error of a Content-Length over the limit
        // when the body arrived in the same read as the header.
        http::async_read_header(socket_, buffer_, parser_,
                                [self = shared_from_this()](error_code error, std::size_t) {
                                    if (error)
                                        return self->received(error);
                                    http::async_read(self->socket_, self->buffer_, self->parser_,
                                                     [self](error_code error, std::size_t) {
                                                         self->received(error);
                                                     });
                                });
    }

    void received(error_code error)
    {
        if (reported_stop())
            return;
        if (error == http::error::body_limit)
            return fail(RpcError::Kind::bad_response,
                        "response larger than " + std::to_string(options_.max_response_bytes)
                            + " bytes");
        if (error == http::error::end_of_stream || error == asio::error::eof)
            return fail(RpcError::Kind::transport, "connection closed before a complete response");
        if (error)
            return fail(RpcError::Kind::transport, "receiving the response failed: " + error.message());

        const auto& response = parser_.get();
        auto result = decode_response(response.result_int(), response.reason(), response.body());
        if (result.ok())
            return finish(std::move(result));
        finish(result.error());
    }

    void fail(RpcError::Kind kind, const std::string& what) { finish(RpcError(kind, what)); }

    void finish(RpcError error)
    {
        finish(RpcResult(RpcError(error.kind(), url_.to_string() + ": " + method_ + ": " + error.what(),
                                  error.code(), error.detail())));
    }

    void finish(RpcResult result)
    {
        if (finished_)
            return;
        finished_ = true;
        error_code ignored;
        socket_.close(ignored);
        deadline_.cancel();
        if (auto handler = std::move(handler_))
            handler(std::move(result));
    }

    Url url_;
    RpcOptions options_;
    std::string method_;
    tcp::resolver resolver_;
    tcp::socket socket_;
    asio::steady_timer deadline_;
    http::request<http::string_body> request_;
    boost::beast::flat_buffer buffer_;
    http::response_parser<http::string_body> parser_;
    std::vector<tcp::endpoint> endpoints_;
    std::size_t next_endpoint_ = 0;
    std::string connect_error_;   // of the last address tried
    std::string phase_ = "while resolving the host name";   // for the timeout message
    Handler handler_;
    Stop stopped_ = Stop::running;
    bool finished_ = false;
};

XmlRpcClient::XmlRpcClient(asio::any_io_executor executor, Url url, RpcOptions options)
    : executor_(std::move(executor)), url_(std::move(url)), options_(std::move(options))
{
    // xmlrpc-c refuses to parse a document over a process-wide limit (512 KiB
    // by default): the limit that applies must be this client's.
    if (xmlrpc_limit_get(XMLRPC_XML_SIZE_LIMIT_ID) < options_.max_response_bytes)
        xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, options_.max_response_bytes);
}

XmlRpcClient::~XmlRpcClient()
{
    for (const auto& weak : calls_)
        if (auto call = weak.lock())
            call->abandon();
}

void XmlRpcClient::call(const std::string& method, const xmlrpc_c::paramList& params,
                        Handler handler)
{
    std::erase_if(calls_, [](const auto& call) { return call.expired(); });
    std::string body;
    xmlrpc_c::xml::generateCall(method, params, &body);
    auto call = std::make_shared<Call>(executor_, url_, options_, method, std::move(body),
                                       std::move(handler));
    calls_.push_back(call);
    call->start();
}

void XmlRpcClient::cancel()
{
    for (const auto& weak : calls_)
        if (auto call = weak.lock())
            call->cancel();
}

xmlrpc_c::value call_blocking(const Url& url, const std::string& method,
                              const xmlrpc_c::paramList& params, const RpcOptions& options)
{
    asio::io_context io;
    std::optional<RpcResult> result;
    XmlRpcClient client(io.get_executor(), url, options);
    client.call(method, params, [&](RpcResult outcome) { result.emplace(std::move(outcome)); });
    io.run();
    return result->value();
}

}  // namespace re6st
