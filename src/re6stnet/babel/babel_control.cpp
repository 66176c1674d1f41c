// babeld's control socket.
#include "re6stnet/babel/babel_control.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <istream>

namespace re6st {

BabelControl::BabelControl(boost::asio::io_context& io, Clock& clock, std::string path,
                           std::chrono::milliseconds timeout)
    : clock_(clock), path_(std::move(path)), timeout_(timeout), socket_(io),
      timer_(clock.make_timer())
{
}

void BabelControl::request(std::string line, Handler done)
{
    queue_.push_back({std::move(line), std::move(done)});
    if (!busy_)
        next();
}

void BabelControl::next()
{
    if (queue_.empty())
        return;
    busy_ = true;
    data_.clear();
    clock_.wait_for(*timer_, timeout_, [this, generation = generation_] {
        if (generation == generation_)
            reset("babeld did not answer within " + std::to_string(timeout_.count()) + " ms");
    });
    if (connected_)
        send();
    else
        connect();
}

void BabelControl::connect()
{
    socket_.async_connect(
        boost::asio::local::stream_protocol::endpoint(path_),
        [this, generation = generation_](const boost::system::error_code& error) {
            if (generation != generation_)
                return;
            if (error) {
                reset("cannot connect to " + path_ + ": " + error.message());
                return;
            }
            connected_ = true;
            read_greeting();
        });
}

// "BABEL 1.0", "version ...", "host ...", "my-id ...", "ok".
void BabelControl::read_greeting()
{
    read_line([this](const std::string& line) {
        if (line == "ok")
            send();
        else
            read_greeting();
    });
}

void BabelControl::read_line(std::function<void(const std::string&)> handle)
{
    boost::asio::async_read_until(
        socket_, input_, '\n',
        [this, handle = std::move(handle), generation = generation_](
            const boost::system::error_code& error, std::size_t) {
            if (generation != generation_)
                return;
            if (error) {
                reset("babeld closed its control socket: " + error.message());
                return;
            }
            std::istream in(&input_);
            std::string line;
            std::getline(in, line);
            handle(line);
        });
}

void BabelControl::send()
{
    auto line = std::make_shared<std::string>(queue_.front().line + "\n");
    boost::asio::async_write(
        socket_, boost::asio::buffer(*line),
        [this, line, generation = generation_](const boost::system::error_code& error,
                                               std::size_t) {
            if (generation != generation_)
                return;
            if (error)
                reset("cannot write to babeld: " + error.message());
            else
                read_reply();
        });
}

void BabelControl::read_reply()
{
    read_line([this](const std::string& line) {
        if (line == "ok") {
            finish("");
        } else if (line == "bad" || line == "no" || line.starts_with("no ")) {
            finish("babeld refused \"" + queue_.front().line + "\": " + line);
        } else {
            data_ += line;
            data_ += '\n';
            read_reply();
        }
    });
}

void BabelControl::finish(const std::string& error)
{
    timer_->cancel();
    auto pending = std::move(queue_.front());
    queue_.pop_front();
    busy_ = false;
    auto data = std::move(data_);
    data_.clear();
    next();
    pending.done(error, data);
}

void BabelControl::reset(const std::string& why)
{
    ++generation_;
    boost::system::error_code ignored;
    socket_.close(ignored);
    timer_->cancel();
    connected_ = false;
    busy_ = false;
    input_.consume(input_.size());
    data_.clear();
    auto failed = std::move(queue_);
    queue_.clear();
    for (auto& pending : failed)
        pending.done(why, "");
}

}  // namespace re6st
