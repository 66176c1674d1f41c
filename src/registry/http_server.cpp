// The HTTP server: listening sockets and the connection cap.
#include "registry/http_server.hpp"

#include "common/log.hpp"
#include "registry/http_connection.hpp"

#include <boost/asio/ip/v6_only.hpp>

#include <stdexcept>

namespace re6st::registry {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string client_address_text(const asio::ip::address& address)
{
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
    return address.to_string();
}

HttpServer::HttpServer(asio::io_context& io, HttpLimits limits) : io_(io), limits_(limits) {}

std::shared_ptr<HttpServer> HttpServer::bind(asio::io_context& io, std::uint16_t port,
                                             HttpLimits limits)
{
    std::shared_ptr<HttpServer> server(new HttpServer(io, limits));
    // With port 0, the IPv4 socket picks a port that IPv6 may find taken:
    // try a few.
    for (int attempt = 0;; ++attempt) {
        try {
            server->bind_both(port);
            return server;
        } catch (const std::runtime_error&) {
            server->acceptors_.clear();
            if (port != 0 || attempt == 10)
                throw;
        }
    }
}

void HttpServer::start(Handler handler)
{
    handler_ = std::move(handler);
    for (auto& acceptor : acceptors_)
        accept(*acceptor);
}

void HttpServer::bind_both(std::uint16_t port)
{
    for (auto address : {asio::ip::address(asio::ip::address_v4::any()),
                         asio::ip::address(asio::ip::address_v6::any())}) {
        tcp::endpoint endpoint(address, port);
        auto acceptor = std::make_unique<tcp::acceptor>(io_);
        boost::system::error_code error;
        acceptor->open(endpoint.protocol(), error);
        if (!error)
            acceptor->set_option(asio::socket_base::reuse_address(true), error);
        if (!error && address.is_v6())
            acceptor->set_option(asio::ip::v6_only(true), error);
        if (!error)
            acceptor->bind(endpoint, error);
        if (!error)
            acceptor->listen(asio::socket_base::max_listen_connections, error);
        if (error) {
            auto text = address.is_v6() ? "[::]" : "0.0.0.0";
            throw std::runtime_error(std::string("cannot listen on ") + text + ":"
                                     + std::to_string(port) + ": " + error.message());
        }
        port = acceptor->local_endpoint().port();   // the IPv6 socket takes the same
        acceptors_.push_back(std::move(acceptor));
    }
    port_ = port;
}

void HttpServer::accept(tcp::acceptor& acceptor)
{
    acceptor.async_accept([self = shared_from_this(), &acceptor](boost::system::error_code error,
                                                                tcp::socket socket) {
        if (self->stopped_)
            return;
        if (error) {
            // Out of file descriptors, or the client gave up: log and go on.
            log::warning("HTTP: accept failed: ", error.message());
        } else if (self->connections_.size() < self->limits_.max_connections
                   || self->evict_oldest_waiting()) {
            std::make_shared<HttpConnection>(self, std::move(socket))->start();
        } else {
            log::debug("HTTP: connection refused: ", self->limits_.max_connections,
                       " connections busy");
        }
        self->accept(acceptor);
    });
}

// At the cap, the connection that has waited longest for its request goes:
// an honest client sends its request at once, so the oldest waiters are the
// idle or trickling ones. The evicted connection leaves the count when its
// pending read completes, soon after.
bool HttpServer::evict_oldest_waiting()
{
    if (waiting_.empty())
        return false;
    log::debug("HTTP: ", limits_.max_connections, " connections: closing the oldest idle one");
    waiting_.front()->close();   // leaves waiting_
    return true;
}

HttpServer::Entry HttpServer::add(HttpConnection* connection)
{
    ++connection_count_;
    return connections_.insert(connections_.end(), connection);
}

void HttpServer::remove(Entry entry)
{
    connections_.erase(entry);
    --connection_count_;
}

HttpServer::Entry HttpServer::start_waiting(HttpConnection* connection)
{
    return waiting_.insert(waiting_.end(), connection);
}

void HttpServer::stop_waiting(Entry entry)
{
    waiting_.erase(entry);
}

void HttpServer::stop()
{
    stopped_ = true;
    for (auto& acceptor : acceptors_) {
        boost::system::error_code ignored;
        acceptor->close(ignored);
    }
    for (auto* connection : connections_)
        connection->close();
}

}  // namespace re6st::registry
