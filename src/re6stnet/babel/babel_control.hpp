// A client of babeld's control socket (-G PATH, read-write: it
// lives in the root-only --run directory): babeld greets,
// then answers each request line with data lines and "ok", "no ..." or
// "bad". Requests are queued and answered in order; the connection is made
// on first use and again after an error (babeld restarted).
#pragma once

#include "re6stnet/process/clock.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/streambuf.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <system_error>

namespace re6st {

class BabelControl {
public:
    // `error` is empty on "ok"; otherwise it says what failed.
    using Handler = std::function<void(const std::string& error, const std::string& data)>;

    BabelControl(boost::asio::io_context& io, Clock& clock, std::string path,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Sends one request line (e.g. "dump") and calls `done` with the data
    // lines that came before babeld's final "ok".
    void request(std::string line, Handler done);

    // Drops the connection and fails what is queued.
    void reset(const std::string& why);

private:
    struct Pending {
        std::string line;
        Handler done;
    };
    void next();
    void connect();
    void read_greeting();
    void read_line(std::function<void(const std::string&)> handle);
    void send();
    void read_reply();
    void finish(const std::string& error);

    Clock& clock_;
    std::string path_;
    std::chrono::milliseconds timeout_;
    boost::asio::local::stream_protocol::socket socket_;
    std::unique_ptr<Timer> timer_;
    boost::asio::streambuf input_;
    std::deque<Pending> queue_;
    std::string data_;
    bool busy_ = false;
    bool connected_ = false;
    unsigned generation_ = 0;   // callbacks of a reset connection do nothing
};

}  // namespace re6st
