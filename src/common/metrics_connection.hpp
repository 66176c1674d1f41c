// One connection to the metrics endpoint: reads a request within the
// deadline and the header limit, answers it (a scrape for GET /metrics),
// and goes on with the next one (keep-alive) or closes. Lives as long as an
// operation of its own holds it.
#pragma once

#include "common/metrics_server.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace re6st::metrics {

class MetricsConnection : public std::enable_shared_from_this<MetricsConnection> {
public:
    MetricsConnection(std::shared_ptr<MetricsServer> server, boost::asio::ip::tcp::socket socket);
    ~MetricsConnection();

    void start();
    void close();   // at once, whatever it is doing

private:
    void read_request();
    void on_read(boost::beast::error_code error);
    void on_scraped(std::optional<std::string> exposition);
    void answer(boost::beast::http::status status, std::string_view content_type,
                std::string body, bool keep_alive);
    void on_written(boost::beast::error_code error, bool keep_alive);

    std::shared_ptr<MetricsServer> server_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    unsigned version_ = 11;   // of the request being answered
    bool keep_alive_ = false;
    boost::beast::http::response<boost::beast::http::string_body> response_;
};

}  // namespace re6st::metrics
