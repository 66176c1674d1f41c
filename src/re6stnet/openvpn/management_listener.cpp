// Holding OpenVPN's management connections.
#include "re6stnet/openvpn/management_listener.hpp"

#include "common/log.hpp"

#include <boost/asio/write.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <array>

namespace re6st {

// Reads and discards what OpenVPN says (a greeting, and notifications we
// never asked for) until it goes away.
struct ManagementListener::Connection : std::enable_shared_from_this<Connection> {
    explicit Connection(boost::asio::local::stream_protocol::socket socket)
        : socket(std::move(socket))
    {
    }

    void read(std::weak_ptr<std::list<std::shared_ptr<Connection>>> all)
    {
        socket.async_read_some(boost::asio::buffer(buffer),
                               [self = shared_from_this(), all](const boost::system::error_code& error,
                                                                std::size_t) {
                                   if (!error) {
                                       self->read(all);
                                       return;
                                   }
                                   if (auto list = all.lock())
                                       list->remove(self);
                               });
    }

    boost::asio::local::stream_protocol::socket socket;
    std::array<char, 1024> buffer;
};

ManagementListener::ManagementListener(boost::asio::io_context& io, std::string path)
    : path_(std::move(path)), acceptor_(io),
      connections_(std::make_shared<std::list<std::shared_ptr<Connection>>>())
{
    ::unlink(path_.c_str());
    acceptor_.open();
    // OpenVPN connects as root, before dropping privileges: nobody else may.
    mode_t old = ::umask(0177);
    boost::system::error_code error;
    acceptor_.bind(boost::asio::local::stream_protocol::endpoint(path_), error);
    ::umask(old);
    if (error)
        throw boost::system::system_error(error, "cannot bind " + path_);
    acceptor_.listen();
    accept();
}

ManagementListener::~ManagementListener()
{
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& connection : *connections_)
        connection->socket.close(ignored);
    connections_->clear();
    ::unlink(path_.c_str());
}

void ManagementListener::accept()
{
    acceptor_.async_accept([this, all = std::weak_ptr(connections_)](
                               const boost::system::error_code& error,
                               boost::asio::local::stream_protocol::socket socket) {
        if (error == boost::asio::error::operation_aborted)
            return;
        if (!error) {
            auto connection = std::make_shared<Connection>(std::move(socket));
            connections_->push_back(connection);
            connection->read(all);
        } else {
            log::warning("management socket ", path_, ": ", error.message());
        }
        accept();
    });
}

std::size_t ManagementListener::connections() const
{
    return connections_->size();
}

void ManagementListener::broadcast(const std::string& command)
{
    auto line = std::make_shared<std::string>(command + "\n");
    for (auto& connection : *connections_)
        boost::asio::async_write(connection->socket, boost::asio::buffer(*line),
                                 [line, connection](const boost::system::error_code&, std::size_t) {
                                     // A process gone meanwhile: its read ends it.
                                 });
}

}  // namespace re6st
