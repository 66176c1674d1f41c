// One connection to the metrics endpoint.
#include "common/metrics_connection.hpp"

#include "common/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace re6st::metrics {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// A request has no business carrying a body here: a few bytes are read and
// dropped, more end the connection.
constexpr std::size_t max_body = 4096;

}  // namespace

MetricsConnection::MetricsConnection(std::shared_ptr<MetricsServer> server,
                                     boost::asio::ip::tcp::socket socket)
    : server_(std::move(server)), stream_(std::move(socket))
{
    server_->add(this);
}

MetricsConnection::~MetricsConnection()
{
    server_->remove(this);
}

void MetricsConnection::start()
{
    read_request();
}

void MetricsConnection::close()
{
    stream_.close();
}

void MetricsConnection::read_request()
{
    parser_.emplace();
    parser_->header_limit(std::uint32_t(server_->limits().max_header));
    parser_->body_limit(max_body);
    // One deadline for the whole request: a client that trickles bytes gets
    // no more time than a silent one.
    stream_.expires_after(server_->limits().timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                         self->on_read(error);
                     });
}

void MetricsConnection::on_read(beast::error_code error)
{
    if (error == http::error::end_of_stream || error == beast::error::timeout
        || error == boost::asio::error::operation_aborted)
        return;   // closed, idle too long, or stopped: nobody to answer
    if (error) {
        log::debug("metrics: bad request: ", error.message());
        return answer(http::status::bad_request, "text/plain", "malformed HTTP request\n", false);
    }
    const auto& request = parser_->get();
    version_ = request.version();
    keep_alive_ = request.keep_alive();
    auto target = request.target();
    auto path = target.substr(0, target.find('?'));
    if (path != "/metrics")
        return answer(http::status::not_found, "text/plain", "metrics are served on /metrics\n",
                      keep_alive_);
    if (request.method() != http::verb::get)
        return answer(http::status::method_not_allowed, "text/plain",
                      "/metrics answers GET only\n", keep_alive_);

    // Moved along, never copied: the scrape thread must not hold the last
    // reference to this connection (hence to the server that owns that thread).
    server_->scrape([self = shared_from_this()](std::optional<std::string> exposition) mutable {
        auto executor = self->stream_.get_executor();
        boost::asio::post(executor, [self = std::move(self),
                                     exposition = std::move(exposition)]() mutable {
            self->on_scraped(std::move(exposition));
        });
    });
}

void MetricsConnection::on_scraped(std::optional<std::string> exposition)
{
    if (!exposition)
        return answer(http::status::internal_server_error, "text/plain", "scrape failed\n",
                      keep_alive_);
    answer(http::status::ok, exposition_content_type, std::move(*exposition), keep_alive_);
}

void MetricsConnection::answer(http::status status, std::string_view content_type,
                               std::string body, bool keep_alive)
{
    response_ = {status, version_};
    response_.set(http::field::content_type, content_type);
    if (status == http::status::method_not_allowed)
        response_.set(http::field::allow, "GET");
    response_.body() = std::move(body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    stream_.expires_after(server_->limits().timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code error,
                                                              std::size_t) {
                          self->on_written(error, keep_alive);
                      });
}

void MetricsConnection::on_written(beast::error_code error, bool keep_alive)
{
    if (error)
        return;
    if (keep_alive)
        return read_request();
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace re6st::metrics
