// The network's configuration as the node takes it from the registry:
// signed by its CA (checked with the real openssl tool), in range, never an
// older version; kept in the state directory and read back at start; any
// refusal logged once.
#include "re6stnet/network_config_fetcher.hpp"

#include "common/log.hpp"
#include "fake_clock.hpp"
#include "loop.hpp"
#include "scripted_registry.hpp"
#include "signed_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace re6st;
using namespace std::chrono_literals;

namespace {

NetworkParameters connection_count(unsigned count)
{
    NetworkParameters parameters;
    parameters.connection_count = count;
    return parameters;
}

struct NetworkConfigFetcherTest : ::testing::Test {
    test::TempDir dir;
    test::TestCa ca{dir};
    boost::asio::io_context io;
    ChildReaper reaper{io};
    PosixProcessLauncher launcher;   // openssl, for real
    test::FakeClock clock{io};
    ProcessContext context{io, launcher, reaper, clock};
    test::ScriptedRegistry registry;
    std::vector<NetworkConfig> changes;
    std::vector<std::string> warnings;
    std::unique_ptr<NetworkConfigFetcher> fetcher;

    NetworkConfigFetcherTest()
    {
        log::set_sink([this](log::Level level, std::string_view line) {
            if (level <= log::Level::warning)
                warnings.emplace_back(line);
        });
        fetcher = make(ca.cert);
    }
    ~NetworkConfigFetcherTest() override { log::set_sink({}); }

    // A fetcher, as a daemon starting with these files would make it.
    std::unique_ptr<NetworkConfigFetcher> make(const std::string& ca_file)
    {
        auto made = std::make_unique<NetworkConfigFetcher>(
            context, registry, OpenSslTool(run_command),
            NetworkConfigFetcher::Settings{ca_file, dir / "network.conf", dir.path().string()});
        made->changed = [this](const NetworkConfig& config) { changes.push_back(config); };
        made->load();
        return made;
    }

    // The registry answers the pending call with `answer`; runs the loop
    // until the fetcher is done with it (openssl included).
    void answer(const std::optional<std::string>& text)
    {
        registry.network_config_answer = text;
        registry.answer_config();
        ASSERT_TRUE(test::run_until(io, [&] { return !fetcher->busy(); }));
    }
    // The next fetch, a period later.
    void next_period()
    {
        clock.advance(60s);
        io.restart();
        io.poll();
    }
    std::string cached() const
    {
        return std::filesystem::exists(dir / "network.conf") ? dir.read("network.conf") : "";
    }
};

}  // namespace

TEST_F(NetworkConfigFetcherTest, GoodConfigurationIsAdoptedKeptAndItsVersionSentNext)
{
    fetcher->start(60s);
    ASSERT_EQ(registry.config_calls, std::vector<std::string>{"getNetworkConfig public -"});
    auto signed_config = ca.sign(1700000000, connection_count(6));
    answer(signed_config);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0], (NetworkConfig{1700000000, connection_count(6)}));
    EXPECT_EQ(cached(), signed_config);   // verbatim
    EXPECT_TRUE(warnings.empty());
    next_period();
    EXPECT_EQ(registry.config_calls.back(), "getNetworkConfig public 1700000000");
    // The registry has nothing newer.
    answer(std::string(network_config_unchanged));
    EXPECT_EQ(changes.size(), 1u);
    next_period();
    answer(signed_config);   // a registry that sends it again all the same
    EXPECT_EQ(changes.size(), 1u);
    EXPECT_TRUE(warnings.empty());
    // A new version.
    next_period();
    answer(ca.sign(1700000100, connection_count(2)));
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[1].version, 1700000100);
    EXPECT_EQ(fetcher->current()->parameters, connection_count(2));
}

// Each answer refused is logged once, however often it comes; the last
// good configuration stays, in use and in the cache.
TEST_F(NetworkConfigFetcherTest, BadAnswersAreRefusedAndLoggedOnce)
{
    fetcher->start(60s);
    auto good = ca.sign(200, connection_count(6));
    answer(good);
    ASSERT_EQ(changes.size(), 1u);

    test::TestCa other(dir, "other-ca");
    auto flipped = ca.sign(300, connection_count(2));
    flipped[flipped.find("connection-count 2")] = 'k';   // a byte changed after signing
    NetworkParameters hello_zero;
    hello_zero.hello = 0s;
    struct Case {
        const char* name;
        std::string answer;
        const char* why;
    };
    const Case cases[] = {
        {"a byte flipped", flipped, "its signature is not the CA's"},
        {"another CA", other.sign(300, connection_count(2)), "its signature is not the CA's"},
        {"a replay", ca.sign(100, connection_count(2)), "version 100 is older than ours, 200"},
        {"out of range", ca.sign(encode_network_config(300, {}) + "hello 0\n"),
         "option '--hello' must be at least 1"},
        {"unknown format", ca.sign("re6st-network-config 2\nversion 300\n"),
         "unknown format of network configuration"},
        {"same version, other contents", ca.sign(200, connection_count(4)),
         "version 200 is ours, with other contents"},
        {"no signature", encode_network_config(300, connection_count(2)), "no signature line"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        warnings.clear();
        for (int i = 0; i < 2; ++i) {
            next_period();
            answer(c.answer);
        }
        ASSERT_EQ(warnings.size(), 1u);
        EXPECT_NE(warnings[0].find("the registry's network configuration is refused"),
                  std::string::npos)
            << warnings[0];
        EXPECT_NE(warnings[0].find(c.why), std::string::npos) << warnings[0];
        EXPECT_NE(warnings[0].find("keeping version 200"), std::string::npos) << warnings[0];
        EXPECT_EQ(changes.size(), 1u);
        EXPECT_EQ(fetcher->current()->version, 200);
        EXPECT_EQ(cached(), good);
    }
}

// A registry of the 2012 protocol: said once, and asked again every period,
// so that the registry's upgrade is noticed.
TEST_F(NetworkConfigFetcherTest, RegistryWithoutTheMethodIsToldOnceAndAskedAgain)
{
    registry.config_method = false;
    fetcher->start(60s);
    answer(std::nullopt);
    next_period();
    answer(std::nullopt);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("the registry gives no network configuration: using the options "
                               "and the defaults"),
              std::string::npos)
        << warnings[0];
    EXPECT_FALSE(fetcher->current());
    registry.config_method = true;
    next_period();
    answer(ca.sign(5, connection_count(6)));
    EXPECT_EQ(changes.size(), 1u);
    EXPECT_EQ(registry.config_calls.size(), 3u);
}

// A restarted node takes the kept configuration without the registry; one
// tampered with, or signed by a CA that is no longer ours, is ignored.
TEST_F(NetworkConfigFetcherTest, KeptConfigurationIsReadBackAndCheckedAgain)
{
    fetcher->start(60s);
    auto good = ca.sign(1700000000, connection_count(6));
    answer(good);
    fetcher.reset();
    changes.clear();

    fetcher = make(ca.cert);
    ASSERT_TRUE(fetcher->current());
    EXPECT_EQ(*fetcher->current(), (NetworkConfig{1700000000, connection_count(6)}));
    EXPECT_EQ(changes.size(), 1u);
    EXPECT_TRUE(warnings.empty());
    // Its version is what the first call carries.
    fetcher->start(60s);
    EXPECT_EQ(registry.config_calls.back(), "getNetworkConfig public 1700000000");
    registry.answer_config();

    auto tampered = good;
    tampered[tampered.find("connection-count 6")] = 'k';
    dir.write("network.conf", tampered);
    changes.clear();
    fetcher = make(ca.cert);
    EXPECT_FALSE(fetcher->current());
    EXPECT_TRUE(changes.empty());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("network.conf is ignored: its signature is not the CA's"),
              std::string::npos)
        << warnings[0];

    test::TestCa replaced(dir, "new-ca");
    dir.write("network.conf", good);
    fetcher = make(replaced.cert);
    EXPECT_FALSE(fetcher->current());
    EXPECT_EQ(warnings.size(), 2u);
}

TEST_F(NetworkConfigFetcherTest, PrivateUrlFirstThenThePublicOne)
{
    fetcher->private_url = [] { return Url::parse("http://[2001:db8:42::1]:9080/"); };
    registry.reachable = false;   // the overlay is not there yet
    fetcher->start(60s);
    registry.answer_config();
    EXPECT_EQ(registry.config_calls,
              (std::vector<std::string>{"getNetworkConfig http://[2001:db8:42::1]:9080/ -",
                                        "getNetworkConfig public -"}));
    answer(ca.sign(7, connection_count(6)));
    EXPECT_EQ(changes.size(), 1u);
    EXPECT_TRUE(warnings.empty());
}

// The daemon's last word: a configuration that conflicts with the node's
// own options is refused, and not kept.
TEST_F(NetworkConfigFetcherTest, JudgeRefusesWhatTheNodeCannotUse)
{
    fetcher->judge = [](const NetworkConfig& config) {
        return config.parameters.connection_count == 1u ? "too few" : "";
    };
    fetcher->start(60s);
    answer(ca.sign(7, connection_count(1)));
    EXPECT_TRUE(changes.empty());
    EXPECT_EQ(cached(), "");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("too few; using the options and the defaults"), std::string::npos)
        << warnings[0];
}

TEST_F(NetworkConfigFetcherTest, RegistryDownIsLoggedOnceAndAskedEveryPeriod)
{
    fetcher->start(60s);
    answer(std::nullopt);
    next_period();
    answer(std::nullopt);
    EXPECT_EQ(registry.config_calls.size(), 2u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("getNetworkConfig: connection refused; asking again in 60 s"),
              std::string::npos)
        << warnings[0];
}
