// The daemon's control socket.
#include "re6stnet/control_socket.hpp"

#include "common/log.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <istream>

namespace re6st {

using stream_protocol = boost::asio::local::stream_protocol;

std::string control_socket_path(const std::string& run_dir)
{
    return run_dir + "/control.sock";
}

class ControlServer::Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(ControlServer& server, stream_protocol::socket socket)
        : server_(server), socket_(std::move(socket)), timer_(socket_.get_executor()),
          input_(server.limits_.max_request)
    {
    }

    void start()
    {
        // One deadline for the whole exchange: a client that trickles bytes,
        // or never reads its answer, gets no more time than a silent one.
        timer_.expires_after(server_.limits_.timeout);
        timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
            if (auto self = weak.lock(); self && !error)
                self->close();
        });
        boost::asio::async_read_until(
            socket_, input_, '\n',
            [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                self->on_request(error);
            });
    }

    void close()
    {
        if (closed_)
            return;
        closed_ = true;
        boost::system::error_code ignored;
        socket_.close(ignored);
        timer_.cancel();
        server_.connections_.erase(shared_from_this());
    }

private:
    void on_request(const boost::system::error_code& error)
    {
        if (closed_)
            return;
        if (error) {   // hung up, too long a line, or closed by the deadline
            close();
            return;
        }
        std::istream in(&input_);
        std::string line;
        std::getline(in, line);
        if (!line.empty() && line.back() == '\r')   // from a terminal tool such as socat
            line.pop_back();
        server_.handler_(line, [weak = weak_from_this()](std::string answer) {
            if (auto self = weak.lock())
                self->send(std::move(answer));
        });
    }

    void send(std::string answer)
    {
        if (closed_ || sending_)
            return;
        sending_ = true;
        answer_ = std::move(answer);
        boost::asio::async_write(
            socket_, boost::asio::buffer(answer_),
            [self = shared_from_this()](const boost::system::error_code&, std::size_t) {
                self->close();
            });
    }

    ControlServer& server_;
    stream_protocol::socket socket_;
    boost::asio::steady_timer timer_;
    boost::asio::streambuf input_;
    std::string answer_;
    bool sending_ = false;
    bool closed_ = false;
};

ControlServer::ControlServer(boost::asio::io_context& io, std::string path, Handler handler,
                             Limits limits)
    : io_(io), path_(std::move(path)), handler_(std::move(handler)), limits_(limits),
      acceptor_(io)
{
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
    boost::system::error_code error;
    acceptor_.open(stream_protocol(), error);
    if (!error)
        acceptor_.bind(stream_protocol::endpoint(path_), error);
    if (!error && chmod(path_.c_str(), 0600) != 0)
        error.assign(errno, boost::system::system_category());
    if (!error)
        acceptor_.listen(boost::asio::socket_base::max_listen_connections, error);
    if (error) {
        acceptor_.close(error);
        std::filesystem::remove(path_, ignored);
        throw std::runtime_error("cannot listen on the control socket " + path_ + ": "
                                 + error.message());
    }
    accept();
}

ControlServer::~ControlServer()
{
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    // close() erases each from the set.
    while (!connections_.empty()) {
        auto connection = *connections_.begin();
        connection->close();
    }
    std::error_code gone;
    std::filesystem::remove(path_, gone);
}

void ControlServer::accept()
{
    acceptor_.async_accept([this, alive = std::weak_ptr<bool>(alive_)](
                               const boost::system::error_code& error,
                               stream_protocol::socket socket) {
        if (alive.expired() || error == boost::asio::error::operation_aborted)
            return;   // closed: `this` may be gone
        if (!error) {
            if (connections_.size() >= limits_.max_connections) {
                log::debug("control socket: too many connections, closing one");
            } else {
                auto connection = std::make_shared<Connection>(*this, std::move(socket));
                connections_.insert(connection);
                connection->start();
            }
        }
        accept();
    });
}

}  // namespace re6st
