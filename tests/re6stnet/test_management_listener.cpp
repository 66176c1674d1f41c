// The socket OpenVPN's --management-client connects to.
#include "re6stnet/openvpn/management_listener.hpp"

#include "loop.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/asio/write.hpp>

#include <sys/stat.h>

using namespace re6st;
using boost::asio::local::stream_protocol;

TEST(ManagementListener, HoldsConnectionsUntilTheyClose)
{
    test::TempDir dir;
    dir.write("openvpn.sock", "stale");   // a previous run's socket file
    boost::asio::io_context io;
    ManagementListener listener(io, dir / "openvpn.sock");
    struct stat st;
    ASSERT_EQ(stat((dir / "openvpn.sock").c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    // As OpenVPN does: connect, greet, stay.
    stream_protocol::socket a(io), b(io);
    a.connect(stream_protocol::endpoint(dir / "openvpn.sock"));
    b.connect(stream_protocol::endpoint(dir / "openvpn.sock"));
    boost::asio::write(a, boost::asio::buffer(std::string(
                              ">INFO:OpenVPN Management Interface Version 5 -- type 'help'\r\n")));
    ASSERT_TRUE(test::run_until(io, [&] { return listener.connections() == 2; }));
    a.close();
    ASSERT_TRUE(test::run_until(io, [&] { return listener.connections() == 1; }));
}

TEST(ManagementListener, ClosingItClosesEveryConnection)
{
    test::TempDir dir;
    boost::asio::io_context io;
    auto listener = std::make_unique<ManagementListener>(io, dir / "openvpn.sock");
    stream_protocol::socket openvpn(io);
    openvpn.connect(stream_protocol::endpoint(dir / "openvpn.sock"));
    ASSERT_TRUE(test::run_until(io, [&] { return listener->connections() == 1; }));
    listener.reset();
    EXPECT_FALSE(std::filesystem::exists(dir / "openvpn.sock"));
    // OpenVPN sees end of file: with --management-client it then quits.
    char byte;
    boost::system::error_code error;
    openvpn.read_some(boost::asio::buffer(&byte, 1), error);
    EXPECT_EQ(error, boost::asio::error::eof);
}
