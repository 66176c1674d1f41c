// re6st-conf, the program, run as an operator runs it: exit status, the one
// line on stderr, and the directory it leaves.
#include "support/openssl_cli.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
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

// tests/conf/fake_registry.py: a registry that sends a CA of the test's and
// refuses anything else.
class FakeRegistry {
public:
    explicit FakeRegistry(const std::string& ca_file)
        : process_({test::python3, RE6ST_CONF_TEST_DIR "/fake_registry.py", ca_file})
    {
        auto port = process_.read_line(10s);
        if (!port)
            throw std::runtime_error("fake_registry.py did not start: " + process_.err());
        url_ = "http://127.0.0.1:";
        url_ += *port;
        url_ += "/";
    }
    const std::string& url() const { return url_; }
    // The methods called since the last look, in order. The registry prints
    // each before answering it: once re6st-conf has exited, every call it
    // made is there.
    std::vector<std::string> calls()
    {
        std::vector<std::string> calls;
        while (auto method = process_.read_line(200ms))
            calls.push_back(*method);
        return calls;
    }

private:
    test::Process process_;
    std::string url_;
};

// The fingerprint of a certificate as `openssl x509 -noout -fingerprint
// -DIGEST` prints it, after "DIGEST Fingerprint=": "5E:8F:...".
std::string openssl_fingerprint(const std::string& certificate, const std::string& digest)
{
    auto out = test::openssl_tool({"x509", "-noout", "-fingerprint", "-" + digest, "-in",
                                   certificate});
    auto value = out.substr(out.find('=') + 1);
    value.erase(value.find_last_not_of('\n') + 1);
    return value;
}

// A CA in scratch/ca.crt, for network 2001:db8:42::/48; its SHA-256 fingerprint.
std::string make_ca(const test::TempDir& scratch)
{
    test::openssl_rsa_key(scratch / "ca.key");
    test::openssl_ca(scratch / "ca.key", scratch / "ca.crt");
    return openssl_fingerprint(scratch / "ca.crt", "sha256");
}

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

// The CA comes over plain HTTP: with --fingerprint, another one is refused
// at once, before the registry is called again and before anything is
// written.
TEST(Re6stConf, CaWithAnotherFingerprintIsRefusedBeforeAnyOtherCall)
{
    test::TempDir scratch;
    auto fingerprint = make_ca(scratch);
    FakeRegistry registry(scratch / "ca.crt");
    fs::create_directory(scratch / "node");
    scratch.write("node/cert.key", "kept as it is\n");
    auto before = snapshot(scratch, "node");
    auto wrong = fingerprint;
    wrong[0] = wrong[0] == '0' ? '1' : '0';

    for (auto extra : {std::vector<std::string>{"--token", "t"}, {"--email", "a@example.com"},
                       {"--ca-only"}}) {
        auto args = extra;
        args.insert(args.end(), {"--registry", registry.url(), "-d", scratch / "node",
                                 "--fingerprint", "sha256:" + wrong});
        auto run = run_conf(args);
        EXPECT_EQ(run.status, 1) << extra[0];
        EXPECT_EQ(run.err, "re6st-conf: the registry's CA certificate has fingerprint sha256:"
                               + fingerprint + " but --fingerprint is sha256:" + wrong
                               + ": refusing it\n");
        EXPECT_EQ(registry.calls(), std::vector<std::string>{"getCa"}) << extra[0];
        EXPECT_EQ(snapshot(scratch, "node"), before) << extra[0];
    }
}

// As openssl prints it, or in lower case without colons; the next call is
// made (and refused by this registry).
TEST(Re6stConf, CaWithTheFingerprintGivenIsTrusted)
{
    test::TempDir scratch;
    auto fingerprint = make_ca(scratch);
    FakeRegistry registry(scratch / "ca.crt");
    auto plain = fingerprint;
    std::erase(plain, ':');
    std::transform(plain.begin(), plain.end(), plain.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });

    for (const auto& given : {"sha256:" + fingerprint, "SHA256:" + plain}) {
        auto run = run_conf({"--registry", registry.url(), "-d", scratch / "node", "--token", "t",
                             "--fingerprint", given});
        EXPECT_EQ(run.status, 1) << given;
        EXPECT_NE(run.out.find("The registry's CA certificate, of network 2001:db8:42::/48, has "
                               "fingerprint sha256:" + fingerprint + ", as --fingerprint says\n"),
                  std::string::npos)
            << run.out;
        EXPECT_NE(run.err.find("the registry refused the token or the certificate request"),
                  std::string::npos)
            << run.err;
        EXPECT_EQ(registry.calls(), (std::vector<std::string>{"getCa", "requestCertificate"}));
    }

    std::string sha1 = "sha1:";
    sha1 += openssl_fingerprint(scratch / "ca.crt", "sha1");
    auto run = run_conf({"--registry", registry.url(), "-d", scratch / "node", "--ca-only",
                         "--fingerprint", sha1});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(scratch.read("node/ca.pem"), scratch.read("ca.crt"));
}

// Without --fingerprint, the operator is shown what to check.
TEST(Re6stConf, CaFingerprintIsShownWithoutFingerprint)
{
    test::TempDir scratch;
    auto fingerprint = make_ca(scratch);
    FakeRegistry registry(scratch / "ca.crt");
    auto run = run_conf({"--registry", registry.url(), "-d", scratch / "node", "--ca-only"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "The registry's CA certificate, of network 2001:db8:42::/48, has "
                       "fingerprint sha256:" + fingerprint + " (unchecked: no --fingerprint "
                       "given)\nWrote " + (scratch / "node/ca.pem") + ", the CA of network "
                       "2001:db8:42::/48\n");
}
