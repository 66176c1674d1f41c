// The unix socket every OpenVPN child connects to (--management PATH unix
// --management-client). The daemon holds the connections open, because
// OpenVPN quits when its management connection closes: when the daemon
// dies, even by SIGKILL, every tunnel ends with it. It sends one command,
// to every process at once: "kill CN", which a server that has that client
// obeys and every other process refuses harmlessly.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <list>
#include <memory>
#include <string>

namespace re6st {

class ManagementListener {
public:
    // Binds `path` (replacing a stale socket file), mode 0600.
    ManagementListener(boost::asio::io_context& io, std::string path);
    ~ManagementListener();

    const std::string& path() const { return path_; }
    std::size_t connections() const;
    // Sends `command` (one line, without its newline) to every OpenVPN
    // connected; their answers are read and discarded.
    void broadcast(const std::string& command);

private:
    struct Connection;
    void accept();

    std::string path_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::shared_ptr<std::list<std::shared_ptr<Connection>>> connections_;
};

}  // namespace re6st
