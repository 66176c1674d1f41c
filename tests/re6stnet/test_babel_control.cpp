// babeld's control-socket protocol, against a server speaking it as babeld
// 1.12.1 does (the greeting and answers are copied from a real session).
#include "re6stnet/babel/babel_control.hpp"

#include "fake_clock.hpp"
#include "loop.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

using namespace re6st;
using boost::asio::local::stream_protocol;
using namespace std::chrono_literals;

namespace {

// Serves one connection at a time; answers each request line from `replies`.
struct FakeBabeld {
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
                                          auto reply = replies.count(line) ? replies[line] : "bad\n";
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
    std::vector<std::string> requests;
    int connections = 0;
    bool silent = false;
};

struct Answer {
    bool done = false;
    std::string error, data;
};

}  // namespace

TEST(BabelControl, DumpReturnsTheDataLines)
{
    test::TempDir dir;
    boost::asio::io_context io;
    test::FakeClock clock{io};
    FakeBabeld babeld(io, dir / "babeld.sock");
    babeld.replies["dump"] =
        "add interface re6stnet0 up true ipv6 fe80::1\n"
        "add route 1 prefix 2001:db8:42:2::/64 from ::/0 installed yes id x metric 96 refmetric 0"
        " via fe80::2 if re6stnet0\nok\n";
    BabelControl control(io, clock, dir / "babeld.sock");
    Answer first, second;
    control.request("dump", [&](const std::string& e, const std::string& d) { first = {true, e, d}; });
    control.request("dump", [&](const std::string& e, const std::string& d) { second = {true, e, d}; });
    ASSERT_TRUE(test::run_until(io, [&] { return first.done && second.done; }));
    EXPECT_EQ(first.error, "");
    EXPECT_EQ(first.data, "add interface re6stnet0 up true ipv6 fe80::1\n"
                          "add route 1 prefix 2001:db8:42:2::/64 from ::/0 installed yes id x"
                          " metric 96 refmetric 0 via fe80::2 if re6stnet0\n");
    EXPECT_EQ(second.data, first.data);
    EXPECT_EQ(babeld.connections, 1);   // one connection for both
    EXPECT_EQ(babeld.requests, (std::vector<std::string>{"dump", "dump"}));
}

TEST(BabelControl, RefusalsAreErrors)
{
    test::TempDir dir;
    boost::asio::io_context io;
    test::FakeClock clock{io};
    FakeBabeld babeld(io, dir / "babeld.sock");
    babeld.replies["flush interface x"] = "no No such interface\n";
    BabelControl control(io, clock, dir / "babeld.sock");
    Answer no, bad;
    control.request("flush interface x",
                    [&](const std::string& e, const std::string& d) { no = {true, e, d}; });
    control.request("bogus", [&](const std::string& e, const std::string& d) { bad = {true, e, d}; });
    ASSERT_TRUE(test::run_until(io, [&] { return no.done && bad.done; }));
    EXPECT_EQ(no.error, "babeld refused \"flush interface x\": no No such interface");
    EXPECT_EQ(bad.error, "babeld refused \"bogus\": bad");
}

TEST(BabelControl, NoBabeldIsAnErrorNotAHang)
{
    test::TempDir dir;
    boost::asio::io_context io;
    test::FakeClock clock{io};
    BabelControl control(io, clock, dir / "babeld.sock");
    Answer answer;
    control.request("dump", [&](const std::string& e, const std::string& d) { answer = {true, e, d}; });
    ASSERT_TRUE(test::run_until(io, [&] { return answer.done; }));
    EXPECT_NE(answer.error.find("cannot connect to"), std::string::npos) << answer.error;
}

TEST(BabelControl, SilentBabeldTimesOutAndTheNextRequestReconnects)
{
    test::TempDir dir;
    boost::asio::io_context io;
    test::FakeClock clock{io};
    FakeBabeld babeld(io, dir / "babeld.sock");
    babeld.silent = true;
    BabelControl control(io, clock, dir / "babeld.sock", 200ms);
    Answer answer;
    control.request("dump", [&](const std::string& e, const std::string& d) { answer = {true, e, d}; });
    // Connected and asked, it waits for an answer that does not come.
    ASSERT_TRUE(test::run_until(io, [&] { return babeld.connections == 1; }));
    clock.advance(199ms);
    io.restart();
    io.poll();
    EXPECT_FALSE(answer.done);
    clock.advance(1ms);
    ASSERT_TRUE(test::run_until(io, [&] { return answer.done; }));
    EXPECT_EQ(answer.error, "babeld did not answer within 200 ms");

    babeld.silent = false;
    babeld.replies["dump"] = "ok\n";
    Answer again;
    control.request("dump", [&](const std::string& e, const std::string& d) { again = {true, e, d}; });
    ASSERT_TRUE(test::run_until(io, [&] { return again.done; }));
    EXPECT_EQ(again.error, "");
    EXPECT_EQ(babeld.connections, 2);
}
