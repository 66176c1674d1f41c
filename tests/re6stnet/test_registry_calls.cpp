// The record of the daemon's registry calls: each passed on, its outcome
// told to the observer, the last success of each method and the last
// failure kept, with the wall time.
#include "re6stnet/registry_calls.hpp"

#include "scripted_registry.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace std::chrono_literals;
using Outcome = RegistryCalls::Outcome;

namespace {

struct RegistryCallsTest : ::testing::Test {
    NodeStatus::Time now = std::chrono::system_clock::from_time_t(1796540400);
    RegistryCalls calls{[this] { return now; }};
    test::ScriptedRegistry scripted;
    RecordedRegistry registry{scripted, calls};
    std::vector<std::pair<std::string, Outcome>> heard;

    void SetUp() override
    {
        calls.observer = [this](std::string_view method, Outcome outcome,
                                std::chrono::steady_clock::duration elapsed) {
            EXPECT_GE(elapsed.count(), 0);
            heard.emplace_back(method, outcome);
        };
    }
};

}  // namespace

TEST_F(RegistryCallsTest, RecordsEachOutcomeAndPassesTheAnswerOn)
{
    auto url = Url::parse("http://[2001:db8:42::1]:9080/");
    std::optional<bool> declared;
    registry.declare(url, "192.0.2.1,1194,udp",
                     [&](std::optional<bool> accepted, const std::string&) { declared = accepted; });
    EXPECT_EQ(scripted.calls, std::vector<std::string>{
                                  "declare http://[2001:db8:42::1]:9080/ 192.0.2.1,1194,udp"});
    scripted.answer_all();
    EXPECT_EQ(declared, true);
    EXPECT_EQ(calls.last_success("declare"), now);
    EXPECT_FALSE(calls.last_success("getPeerList"));

    now += 60s;
    scripted.reachable = false;
    std::string error;
    registry.peer_list(url, 10, [&](std::optional<std::vector<Peer>>, const std::string& e) {
        error = e;
    });
    scripted.answer_all();
    EXPECT_EQ(error, "no route to host");
    ASSERT_TRUE(calls.last_error());
    EXPECT_EQ(*calls.last_error(), (NodeStatus::RegistryCall{"getPeerList", "no route to host", now}));

    scripted.reachable = true;
    scripted.accept_declare = false;
    registry.declare(url, "x", [](std::optional<bool>, const std::string&) {});
    scripted.answer_all();
    EXPECT_EQ(calls.last_success("declare"), now - 60s);   // a refusal is no success
    EXPECT_EQ(calls.last_error()->message, "declaration refused");

    EXPECT_EQ(heard, (std::vector<std::pair<std::string, Outcome>>{
                         {"declare", Outcome::ok},
                         {"getPeerList", Outcome::error},
                         {"declare", Outcome::refused}}));
}

TEST_F(RegistryCallsTest, RenewalAndConfigurationRefusalsAreRefusals)
{
    scripted.renew = [](const std::string&) { return std::optional<std::string>(); };
    registry.renew_certificate("csr", [](std::optional<std::string>, const std::string&, bool) {});
    scripted.answer_all();
    scripted.config_method = false;
    registry.network_config(std::nullopt, std::nullopt,
                            [](std::optional<std::string>, const std::string&, bool) {});
    while (!scripted.config_pending.empty())
        scripted.answer_config();
    EXPECT_EQ(heard, (std::vector<std::pair<std::string, Outcome>>{
                         {"renewCertificate", Outcome::refused},
                         {"getNetworkConfig", Outcome::refused}}));
}
