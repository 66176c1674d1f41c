// One client connection of the HTTP server: reads a request within the
// deadline and the size limits (header first, so that a wrong path, method or
// size is refused before the body comes), hands its body to the server's handler,
// writes the answer, and goes on with the next request (keep-alive) or
// closes. Lives as long as an operation of its own holds it.
#pragma once

#include "registry/http_server.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>

namespace re6st::registry {

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
public:
    HttpConnection(std::shared_ptr<HttpServer> server, boost::asio::ip::tcp::socket socket);
    ~HttpConnection();

    void start();
    void close();   // at once, whatever it is doing; no longer waiting

private:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;
    using Response = boost::beast::http::response<boost::beast::http::string_body>;

    void read_request();
    void leave_waiting();   // no longer a candidate for eviction
    void on_header(boost::beast::error_code error);
    void on_read(boost::beast::error_code error);
    // Handles a read error (answering it if it is the client's); true if
    // there was one.
    bool failed(boost::beast::error_code error);
    void answer(std::string xml);
    void refuse(boost::beast::http::status status, std::string_view reason);
    void send(bool then_close);
    void on_written(boost::beast::error_code error, bool then_close);
    void linger();

    std::shared_ptr<HttpServer> server_;
    HttpServer::Entry entry_;
    std::optional<HttpServer::Entry> waiting_;   // while waiting for a request
    boost::beast::tcp_stream stream_;
    std::string peer_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    unsigned version_ = 11;    // of the request being answered
    bool keep_alive_ = false;
    Response response_;
    std::array<char, 4096> discard_;   // for linger()
};

}  // namespace re6st::registry
