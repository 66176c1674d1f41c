// The metrics endpoint: the listening socket, the connection cap and the
// scrape thread.
#include "common/metrics_server.hpp"

#include "common/listen_address.hpp"
#include "common/log.hpp"
#include "common/metrics_connection.hpp"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace re6st::metrics {

namespace asio = boost::asio;
using asio::ip::tcp;

MetricsServer::MetricsServer(asio::io_context& io, MetricSet& metrics, ServerLimits limits)
    : acceptor_(io), metrics_(metrics), limits_(limits)
{
}

MetricsServer::~MetricsServer()
{
    scraper_.join();
}

std::shared_ptr<MetricsServer> MetricsServer::bind(asio::io_context& io,
                                                   const tcp::endpoint& endpoint,
                                                   MetricSet& metrics, ServerLimits limits)
{
    std::shared_ptr<MetricsServer> server(new MetricsServer(io, metrics, limits));
    auto& acceptor = server->acceptor_;
    boost::system::error_code error;
    acceptor.open(endpoint.protocol(), error);
    if (!error)
        acceptor.set_option(asio::socket_base::reuse_address(true), error);
    if (!error)
        acceptor.bind(endpoint, error);
    if (!error)
        acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (!error)
        server->local_ = acceptor.local_endpoint(error);
    if (error)
        throw std::runtime_error("cannot listen on " + format_listen_address(endpoint) + ": "
                                 + error.message());
    return server;
}

void MetricsServer::start()
{
    accept();
}

void MetricsServer::accept()
{
    acceptor_.async_accept([self = shared_from_this()](boost::system::error_code error,
                                                       tcp::socket socket) {
        if (self->stopped_)
            return;
        if (error)
            // Out of file descriptors, or the client gave up: log and go on.
            log::warning("metrics: accept failed: ", error.message());
        else if (self->connections_.size() >= self->limits_.max_connections)
            log::debug("metrics: connection refused: ", self->limits_.max_connections,
                       " connections open");   // the socket closes here
        else
            std::make_shared<MetricsConnection>(self, std::move(socket))->start();
        self->accept();
    });
}

void MetricsServer::scrape(Scraped done)
{
    if (stopped_)
        return;
    asio::post(scraper_, [&metrics = metrics_, done = std::move(done)]() mutable {
        std::optional<std::string> exposition;
        try {
            exposition = metrics.scrape();
        } catch (const std::exception& error) {
            log::error("metrics: scrape failed: ", error.what());
        }
        // `done` moves what it holds to the io thread: nothing of the
        // connection is released here.
        auto finish = std::move(done);
        finish(std::move(exposition));
    });
}

void MetricsServer::stop()
{
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto* connection : std::set(connections_))
        connection->close();
    scraper_.join();
}

}  // namespace re6st::metrics
