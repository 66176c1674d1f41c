// babeld's control-socket protocol, against a server speaking it as babeld
// 1.12.1 does (the greeting and answers are copied from a real session).
#include "re6stnet/babel/babel_control.hpp"

#include "fake_babeld.hpp"
#include "fake_clock.hpp"
#include "loop.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace std::chrono_literals;

namespace {

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
    test::FakeBabeld babeld(io, dir / "babeld.sock");
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
    test::FakeBabeld babeld(io, dir / "babeld.sock");
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
    test::FakeBabeld babeld(io, dir / "babeld.sock");
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
