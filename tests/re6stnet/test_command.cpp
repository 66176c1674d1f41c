// Short commands run from the event loop: openssl decrypting a bootstrap peer.
#include "re6stnet/process/command.hpp"

#include "common/certificate.hpp"
#include "common/rsa_cipher.hpp"
#include "fake_clock.hpp"
#include "loop.hpp"
#include "re6stnet/openssl_tool.hpp"
#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <filesystem>
#include <set>

using namespace re6st;
using namespace std::chrono_literals;

namespace {

struct AsyncCommandTest : ::testing::Test {
    boost::asio::io_context io;
    ChildReaper reaper{io};
    PosixProcessLauncher launcher;
    test::FakeClock clock{io};
    ProcessContext context{io, launcher, reaper, clock};

    // `step`: how far the clock moves once the command has started.
    CommandResult run(const std::vector<std::string>& argv, std::string input,
                      std::chrono::milliseconds timeout = 10s,
                      std::chrono::milliseconds step = {})
    {
        std::optional<CommandResult> result;
        run_command_async(context, argv, std::move(input), timeout,
                          [&](CommandResult r) { result = std::move(r); });
        clock.advance(step);
        EXPECT_TRUE(test::run_until(io, [&] { return result.has_value(); }));
        return result.value_or(CommandResult{-2, ""});
    }
};

}  // namespace

TEST_F(AsyncCommandTest, InputInOutputOut)
{
    auto result = run({"sh", "-c", "tr a-z A-Z; exit 3"}, "hello\n");
    EXPECT_EQ(result.status, 3);
    EXPECT_EQ(result.output, "HELLO");
    EXPECT_EQ(run({"cat"}, std::string(300000, 'x')).output.size(), 300000u);
}

TEST_F(AsyncCommandTest, CommandThatHangsIsKilled)
{
    auto result = run({"sleep", "30"}, "", 200ms, 200ms);
    EXPECT_EQ(result.status, -1);
}

TEST_F(AsyncCommandTest, MissingProgramIsAnError)
{
    auto result = run({"/nonexistent/openssl"}, "");
    EXPECT_EQ(result.status, -1);
    EXPECT_NE(result.output.find("/nonexistent/openssl"), std::string::npos);
}

TEST_F(AsyncCommandTest, OpenSslDecryptsWhatTheRegistryEncrypts)
{
    test::TempDir dir;
    test::openssl_rsa_key(dir / "ca.key");
    test::openssl_ca(dir / "ca.key", dir / "ca.crt");
    test::openssl_csr("rsa:2048", "/CN=1\\/16", dir / "node.key", dir / "node.csr");
    test::openssl_tool({"x509", "-req", "-in", dir / "node.csr", "-CA", dir / "ca.crt", "-CAkey",
                        dir / "ca.key", "-set_serial", "7", "-out", dir / "node.crt"});
    std::string message = "0000000000000010 192.0.2.2,1194,udp;192.0.2.2,1194,tcp";
    auto ciphertext = rsa_encrypt(Certificate::load(dir / "node.crt"), message);
    OpenSslTool openssl(run_command);
    auto result = run(openssl.decrypt_command(dir / "node.key"), ciphertext);
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_EQ(result.output, message);
    auto wrong = run(openssl.decrypt_command(dir / "ca.key"), ciphertext);
    EXPECT_NE(wrong.status, 0);
}

namespace {

std::size_t open_descriptors()
{
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        ++count;
    return count - 1;   // the directory iterator's own
}

// The lowest limit on descriptor numbers that leaves exactly `free` of them
// to open.
rlim_t limit_leaving(std::size_t free)
{
    std::set<int> used;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
        used.insert(std::stoi(entry.path().filename().string()));
    rlim_t limit = 0;
    for (std::size_t found = 0; found < free; ++limit)
        found += !used.count(int(limit));
    // The iterator's descriptor is closed again by now: one more is free.
    return limit;
}

}  // namespace

TEST_F(AsyncCommandTest, NoDescriptorLeaksWhenTheSecondPipeCannotBeMade)
{
    auto before = open_descriptors();
    rlimit saved{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
    // Room for the first pipe only.
    rlimit tight = saved;
    tight.rlim_cur = limit_leaving(2);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
    std::optional<CommandResult> result;
    run_command_async(context, {"true"}, "", 10s,
                      [&](CommandResult r) { result = std::move(r); });
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
    ASSERT_TRUE(test::run_until(io, [&] { return result.has_value(); }));
    EXPECT_EQ(result->status, -1);
    EXPECT_NE(result->output.find("pipe"), std::string::npos) << result->output;
    EXPECT_EQ(open_descriptors(), before);
}
