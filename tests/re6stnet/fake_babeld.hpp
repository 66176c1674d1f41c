// A babeld control socket for tests: the greeting of babeld 1.12.1, then
// an answer to each request line.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace re6st::test {

// Serves one connection at a time; answers each request line from `replies`.
struct FakeBabeld {
    using stream_protocol = boost::asio::local::stream_protocol;

    FakeBabeld(boost::asio::io_context& io, const std::string& path)
        : acceptor(io, stream_protocol::endpoint(path)), socket(io)
    {
        accept();
    }

    void accept()
    {
        acceptor.async_accept([this](const boost::system::error_code& error,
                                     stream_protocol::socket s) {
            if (error)
                return;
            ++connections;
            socket = std::move(s);
            send("BABEL 1.0\nversion babeld-1.12.1\nhost node\nmy-id 02:00:00:ff:fe:00:00:01\nok\n",
                 [this] { read(); });
        });
    }

    void read()
    {
        boost::asio::async_read_until(socket, input, '\n',
                                      [this](const boost::system::error_code& error, std::size_t) {
                                          if (error) {
                                              accept();
                                              return;
                                          }
                                          std::istream in(&input);
                                          std::string line;
                                          std::getline(in, line);
                                          requests.push_back(line);
                                          if (silent) {   // never answer, but notice hang-ups
                                              read();
                                              return;
                                          }
                                          auto reply = replies.count(line) ? replies[line] : default_reply;
                                          send(reply, [this] { read(); });
                                      });
    }

    void send(std::string text, std::function<void()> then)
    {
        auto data = std::make_shared<std::string>(std::move(text));
        boost::asio::async_write(socket, boost::asio::buffer(*data),
                                 [data, then](const boost::system::error_code& error, std::size_t) {
                                     if (!error)
                                         then();
                                 });
    }

    stream_protocol::acceptor acceptor;
    stream_protocol::socket socket;
    boost::asio::streambuf input;
    std::map<std::string, std::string> replies;
    std::string default_reply = "bad\n";   // to a request not in `replies`
    std::vector<std::string> requests;
    int connections = 0;
    bool silent = false;
};

}  // namespace re6st::test
