// One client connection of the HTTP server.
#include "registry/http_connection.hpp"

#include "common/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace re6st::registry {

namespace beast = boost::beast;
namespace http = beast::http;

HttpConnection::HttpConnection(std::shared_ptr<HttpServer> server,
                               boost::asio::ip::tcp::socket socket)
    : server_(std::move(server)), stream_(std::move(socket))
{
    entry_ = server_->add(this);
    boost::system::error_code error;
    auto remote = stream_.socket().remote_endpoint(error);
    peer_ = error ? std::string("unknown") : client_address_text(remote.address());
}

HttpConnection::~HttpConnection()
{
    leave_waiting();
    server_->remove(entry_);
}

void HttpConnection::leave_waiting()
{
    if (waiting_) {
        server_->stop_waiting(*waiting_);
        waiting_.reset();
    }
}

void HttpConnection::start()
{
    read_request();
}

void HttpConnection::close()
{
    leave_waiting();
    stream_.close();
}

void HttpConnection::read_request()
{
    parser_.emplace();
    parser_->header_limit(std::uint32_t(server_->limits().max_header));
    parser_->body_limit(server_->limits().max_body);
    // One deadline for the whole request: a client that trickles bytes gets
    // no more time than a silent one.
    stream_.expires_after(server_->limits().request_timeout);
    waiting_ = server_->start_waiting(this);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                                self->on_header(error);
                            });
}

// The request line and headers are in: refuse a wrong path or method before
// its body comes, and let a client that waits for "100 Continue" send it.
void HttpConnection::on_header(beast::error_code error)
{
    if (failed(error))
        return;
    const auto& header = parser_->get();
    version_ = header.version();
    keep_alive_ = header.keep_alive();
    if (header.target() != "/" && header.target() != "/RPC2")
        return refuse(http::status::not_found, "XML-RPC is served on / and /RPC2");
    if (header.method() != http::verb::post)
        return refuse(http::status::method_not_allowed, "XML-RPC calls are POST requests");

    auto read_body = [self = shared_from_this()] {
        http::async_read(self->stream_, self->buffer_, *self->parser_,
                         [self](beast::error_code error, std::size_t) { self->on_read(error); });
    };
    if (beast::iequals(header[http::field::expect], "100-continue")) {
        static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
        boost::asio::async_write(stream_, boost::asio::buffer(go_on.data(), go_on.size()),
                                 [read_body](beast::error_code error, std::size_t) {
                                     if (!error)
                                         read_body();
                                 });
    } else {
        read_body();
    }
}

bool HttpConnection::failed(beast::error_code error)
{
    if (!error)
        return false;
    leave_waiting();
    if (error == http::error::body_limit)
        refuse(http::status::payload_too_large, "request body over the size limit");
    else if (error == http::error::header_limit)
        refuse(http::status::request_header_fields_too_large, "request header too large");
    else if (error.category() == http::make_error_code(http::error::bad_target).category()
             && error != http::error::end_of_stream && error != http::error::partial_message)
        refuse(http::status::bad_request, "malformed HTTP request");
    else if (error == beast::error::timeout)
        // Otherwise closed, reset or stopped: nobody to answer.
        log::debug("HTTP: ", peer_, " sent no complete request in time");
    return true;
}

void HttpConnection::on_read(beast::error_code error)
{
    if (failed(error))
        return;
    leave_waiting();

    // The handler answers from a worker thread; the answer comes back to the
    // io thread, which alone touches the socket.
    server_->handler()(std::move(parser_->get().body()), peer_,
                       [self = shared_from_this()](std::string xml) {
                           auto executor = self->stream_.get_executor();
                           boost::asio::post(executor, [self = std::move(self),
                                                        xml = std::move(xml)]() mutable {
                               self->answer(std::move(xml));
                           });
                       });
}

void HttpConnection::answer(std::string xml)
{
    response_ = Response(http::status::ok, version_);
    response_.set(http::field::server, "re6st-registry");
    response_.set(http::field::content_type, "text/xml");
    response_.body() = std::move(xml);
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    send(!keep_alive_);
}

void HttpConnection::refuse(http::status status, std::string_view reason)
{
    leave_waiting();
    log::debug("HTTP: ", peer_, ": ", int(status), " ", reason);
    response_ = Response(status, version_);
    response_.set(http::field::server, "re6st-registry");
    response_.set(http::field::content_type, "text/plain");
    if (status == http::status::method_not_allowed)
        response_.set(http::field::allow, "POST");
    response_.body() = std::string(reason) + "\n";
    response_.keep_alive(false);
    response_.prepare_payload();
    send(true);
}

void HttpConnection::send(bool then_close)
{
    stream_.expires_after(server_->limits().request_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), then_close](beast::error_code error, std::size_t) {
                          self->on_written(error, then_close);
                      });
}

void HttpConnection::on_written(beast::error_code error, bool then_close)
{
    if (error)
        return;
    if (!then_close)
        return read_request();
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    // The deadline covers every read of linger().
    stream_.expires_after(std::chrono::seconds(2));
    linger();
}

// After an answer that ends the connection, the client may still be sending
// (a body over the limit): closing with unread data would reset the
// connection and could destroy the answer before the client reads it. Read
// and drop what comes, until the client closes or the deadline passes.
void HttpConnection::linger()
{
    stream_.async_read_some(boost::asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code error, std::size_t) {
                                if (!error)
                                    self->linger();
                            });
}

}  // namespace re6st::registry
