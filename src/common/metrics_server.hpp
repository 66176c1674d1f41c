// The HTTP endpoint of a program's metrics: GET /metrics answers with a
// scrape of a MetricSet in the text format 0.0.4, 404 any other path, 405
// any other method. It runs on the program's io_context; scrapes run on a
// thread of their own, so that a collector that reads a database never
// stalls the loop. It is meant for a Prometheus server, not the public: few
// connections, each with a deadline.
#pragma once

#include "common/metrics.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace re6st::metrics {

class MetricsConnection;

inline constexpr const char* exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";

struct ServerLimits {
    std::size_t max_connections = 8;     // more are closed at once
    std::chrono::seconds timeout{10};    // to receive a whole request, and to send its answer
    std::size_t max_header = 8 * 1024;   // bytes, request line and headers
};

class MetricsServer : public std::enable_shared_from_this<MetricsServer> {
public:
    // Listens on `endpoint` (port 0: any free port). Throws
    // std::runtime_error naming the address that cannot be bound. Nothing
    // is accepted before start().
    static std::shared_ptr<MetricsServer> bind(boost::asio::io_context& io,
                                               const boost::asio::ip::tcp::endpoint& endpoint,
                                               MetricSet& metrics, ServerLimits limits = {});
    ~MetricsServer();

    void start();
    // Closes the listening socket and every connection, and waits for the
    // scrape in progress. On the io thread.
    void stop();

    boost::asio::ip::tcp::endpoint local_endpoint() const { return local_; }
    const ServerLimits& limits() const { return limits_; }

    // For MetricsConnection, on the io thread. Scrapes on the scrape
    // thread and hands the exposition to `done` there (nullopt: the scrape
    // failed, and was logged).
    using Scraped = std::function<void(std::optional<std::string> exposition)>;
    void scrape(Scraped done);
    void add(MetricsConnection* connection) { connections_.insert(connection); }
    void remove(MetricsConnection* connection) { connections_.erase(connection); }

private:
    MetricsServer(boost::asio::io_context& io, MetricSet& metrics, ServerLimits limits);
    void accept();

    boost::asio::ip::tcp::acceptor acceptor_;
    MetricSet& metrics_;
    ServerLimits limits_;
    boost::asio::ip::tcp::endpoint local_;
    boost::asio::thread_pool scraper_{1};
    std::set<MetricsConnection*> connections_;
    bool stopped_ = false;
};

}  // namespace re6st::metrics
