// The daemon's control socket, RUN/control.sock, mode 0600: a local client
// writes one request line ("status"), the daemon answers and closes. It runs
// on the daemon's loop and never waits for a client: each connection has a
// deadline and a bounded request, and there are few at a time.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace re6st {

// Where the daemon of `run_dir` listens.
std::string control_socket_path(const std::string& run_dir);

struct ControlLimits {
    std::size_t max_connections = 4;              // more are closed at once
    std::chrono::milliseconds timeout{10000};     // to read the request and send the answer
    std::size_t max_request = 256;                // bytes, newline included
};

class ControlServer {
public:
    // Called once per connection with its answer; a call after the client
    // has gone (or the server) does nothing.
    using Answer = std::function<void(std::string answer)>;
    // A request line, without its newline.
    using Handler = std::function<void(const std::string& request, Answer answer)>;

    using Limits = ControlLimits;

    // Listens on `path`, replacing a stale socket there (the caller holds
    // the run directory), mode 0600. Throws std::runtime_error naming the
    // path when it cannot.
    ControlServer(boost::asio::io_context& io, std::string path, Handler handler,
                  Limits limits = {});
    // Closes every connection and removes the socket.
    ~ControlServer();

    const std::string& path() const { return path_; }

private:
    class Connection;
    void accept();

    boost::asio::io_context& io_;
    std::string path_;
    Handler handler_;
    Limits limits_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::set<std::shared_ptr<Connection>> connections_;
    // An accept that completed just before the destruction runs after it.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace re6st
