// re6st-conf, the program, run as an operator runs it: exit status, the one
// line on stderr, and the directory it leaves.
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>

using namespace re6st;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

struct Run {
    int status;
    std::string out, err;
};

// re6st-conf with `args`, `input` on stdin.
Run run_conf(const std::vector<std::string>& args, const std::string& input = "",
             const std::vector<std::string>& wrapper = {}, const std::string& binary = RE6ST_CONF_BINARY)
{
    auto argv = wrapper;
    argv.push_back(binary);
    argv.insert(argv.end(), args.begin(), args.end());
    test::Process conf(argv, {.pipe_stdin = true});
    conf.write_stdin(input);
    conf.close_stdin();
    auto status = conf.wait(60s);
    if (!status)
        throw std::runtime_error("re6st-conf did not exit within 60 s");
    return {*status, conf.out(), conf.err()};
}

// Every entry of a directory (hidden ones too) with its content and mode.
std::map<std::string, std::pair<std::string, unsigned>> snapshot(const test::TempDir& scratch,
                                                                 const std::string& name)
{
    std::map<std::string, std::pair<std::string, unsigned>> entries;
    for (const auto& entry : fs::directory_iterator(scratch / name)) {
        struct stat status;
        stat(entry.path().c_str(), &status);
        auto file = name + "/" + entry.path().filename().string();
        entries[file] = {scratch.read(file), status.st_mode & 07777};
    }
    return entries;
}

// A registry address where anything connecting would be seen: tests that
// must fail before the registry is called check that nobody came.
class Tripwire {
public:
    Tripwire() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0})
    {
        acceptor_.non_blocking(true);
    }
    std::string url() const
    {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/";
    }
    bool touched()
    {
        boost::system::error_code error;
        asio::ip::tcp::socket socket(io_);
        acceptor_.accept(socket, error);
        return !error;
    }

private:
    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_;
};

}  // namespace

TEST(Re6stConf, BadCommandLineIsOneLineAndStatus2)
{
    auto run = run_conf({"--server", "2001:db8::1"});
    EXPECT_EQ(run.status, 2);
    EXPECT_EQ(run.err, "re6st-conf: --server needs --port (see re6st-conf --help)\n");
}

TEST(Re6stConf, UnreachableRegistryLeavesTheDirectoryAsItWas)
{
    test::TempDir scratch;
    fs::create_directory(scratch / "node");
    scratch.write("node/cert.key", "kept as it is\n");
    auto before = snapshot(scratch, "node");
    // A bound port that does not listen: connections to it are refused.
    asio::io_context io;
    asio::ip::tcp::socket closed(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto port = std::to_string(closed.local_endpoint().port());

    auto run = run_conf({"--server", "127.0.0.1", "--port", port, "-d", scratch / "node",
                         "--email", "node@example.com"});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err, "re6st-conf: registry unreachable: http://127.0.0.1:" + port
                           + "/: getCa: cannot connect to 127.0.0.1:" + port
                           + ": Connection refused\n");
    EXPECT_EQ(snapshot(scratch, "node"), before);
}

TEST(Re6stConf, ReadOnlyDirectoryFailsBeforeTheRegistryIsCalled)
{
    test::TempDir scratch;
    fs::permissions(scratch.path(), fs::perms(0755));   // nobody may enter
    fs::create_directory(scratch / "node");
    fs::permissions(scratch / "node", fs::perms(0555));
    Tripwire registry;

    // Root ignores directory modes: run as nobody, from a copy of the
    // program that nobody can reach wherever the build tree is.
    std::vector<std::string> as_nobody;
    auto binary = std::string(RE6ST_CONF_BINARY);
    if (geteuid() == 0) {
        as_nobody = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
        binary = scratch / "re6st-conf";
        fs::copy_file(RE6ST_CONF_BINARY, binary);
    }
    auto run = run_conf({"--registry", registry.url(), "-d", scratch / "node", "--email",
                         "node@example.com"},
                        "", as_nobody, binary);
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err, "re6st-conf: cannot create a file in " + (scratch / "node")
                           + ": Permission denied\n");
    EXPECT_FALSE(registry.touched());
    EXPECT_TRUE(fs::is_empty(scratch / "node"));
}

// A missing directory is made (test_re6st_conf_enrolment.py enrols into
// one), and removed again when the enrolment fails.
TEST(Re6stConf, MissingDirectoryIsRemovedAgainWhenEnrolmentFails)
{
    test::TempDir scratch;
    asio::io_context io;
    asio::ip::tcp::socket closed(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto port = std::to_string(closed.local_endpoint().port());

    auto run = run_conf({"--server", "127.0.0.1", "--port", port, "-d", scratch / "new/node",
                         "--token", "t"});
    EXPECT_EQ(run.status, 1);
    EXPECT_NE(run.err.find("re6st-conf: registry unreachable: "), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(scratch / "new"));
}

TEST(Re6stConf, DirectoryThatCannotBeMadeIsNamed)
{
    test::TempDir scratch;
    scratch.write("file", "");
    Tripwire registry;
    auto run = run_conf({"--registry", registry.url(), "-d", scratch / "file/node", "--token", "t"});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err, "re6st-conf: cannot create the directory " + (scratch / "file/node")
                           + ": Not a directory\n");
    EXPECT_FALSE(registry.touched());
}

TEST(Re6stConf, ExistingCertificateIsKeptWithoutForce)
{
    test::TempDir scratch;
    fs::create_directory(scratch / "node");
    scratch.write("node/cert.crt", "an earlier certificate\n");
    auto before = snapshot(scratch, "node");
    Tripwire registry;

    auto run = run_conf({"--registry", registry.url(), "-d", scratch / "node", "--token", "t"});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err, "re6st-conf: " + (scratch / "node/cert.crt")
                           + " exists: re6st-conf --force replaces it\n");
    EXPECT_FALSE(registry.touched());
    EXPECT_EQ(snapshot(scratch, "node"), before);
}
