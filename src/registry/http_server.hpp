// The registry's HTTP/1.1 server (Boost.Beast): xmlrpc-c's Abyss server cannot
// report IPv6 client addresses whole. One io thread does all socket I/O;
// request bodies go to a Handler that answers later, from any thread. Limits
// keep hostile clients from starving others: header and body sizes, a
// deadline per request, and a cap on connections where a newcomer evicts the
// connection that has waited longest for its request.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace re6st::registry {

class HttpConnection;

// A client's address as the handler sees it: IPv6 in RFC 5952 form, IPv4
// dotted, and an IPv4-mapped IPv6 address as the IPv4 address it maps.
std::string client_address_text(const boost::asio::ip::address& address);

struct HttpLimits {
    std::size_t max_header = 8 * 1024;          // bytes, request line and headers
    std::size_t max_body = 1024 * 1024;         // bytes
    std::chrono::seconds request_timeout{20};   // to receive a whole request, or send a response
    std::size_t max_connections = 512;
};

class HttpServer : public std::enable_shared_from_this<HttpServer> {
public:
    using Respond = std::function<void(std::string xml)>;
    // Called on the io thread for each POST on / or /RPC2; `peer` is the
    // client's address as text. Call `respond` once, from any thread.
    using Handler = std::function<void(std::string body, std::string peer, Respond respond)>;

    // Binds 0.0.0.0:port and [::]:port (V6ONLY); port 0 picks one free port
    // for both. Throws std::runtime_error naming the address that cannot be
    // bound. Nothing is accepted before start().
    static std::shared_ptr<HttpServer> bind(boost::asio::io_context& io, std::uint16_t port,
                                            HttpLimits limits);
    void start(Handler handler);

    std::uint16_t port() const { return port_; }
    // Connections open now; read from any thread.
    std::size_t connection_count() const { return connection_count_.load(); }
    const HttpLimits& limits() const { return limits_; }
    const Handler& handler() const { return handler_; }

    // Closes the listening sockets and every connection.
    void stop();

    // For HttpConnection: connections register while they live, and say when
    // they wait for a request (and so may be evicted).
    using Entry = std::list<HttpConnection*>::iterator;
    Entry add(HttpConnection* connection);
    void remove(Entry entry);
    Entry start_waiting(HttpConnection* connection);
    void stop_waiting(Entry entry);

private:
    HttpServer(boost::asio::io_context& io, HttpLimits limits);
    void bind_both(std::uint16_t port);
    void accept(boost::asio::ip::tcp::acceptor& acceptor);
    bool evict_oldest_waiting();

    boost::asio::io_context& io_;
    HttpLimits limits_;
    Handler handler_;
    std::uint16_t port_ = 0;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    std::list<HttpConnection*> connections_;
    std::atomic<std::size_t> connection_count_{0};   // connections_.size(), for other threads
    std::list<HttpConnection*> waiting_;   // oldest first
    bool stopped_ = false;
};

}  // namespace re6st::registry
