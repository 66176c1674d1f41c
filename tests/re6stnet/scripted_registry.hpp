// A Registry for tests: it records every call, and the test delivers the
// answers one by one, as the real registry's would arrive later from the
// network.
#pragma once

#include "re6stnet/registry_client.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace re6st::test {

struct ScriptedRegistry : Registry {
    std::vector<std::string> calls;
    std::deque<std::function<void()>> pending;

    void private_address(Done<std::string> done) override
    {
        calls.push_back("getPrivateAddress");
        pending.push_back([this, done] {
            if (private_url)
                done(*private_url, "");
            else
                done(std::nullopt, "connection refused");
        });
    }
    void declare(const Url& url, const std::string& address, Done<bool> done) override
    {
        calls.push_back("declare " + url.to_string() + " " + address);
        pending.push_back([this, done] {
            if (reachable)
                done(accept_declare, "");
            else
                done(std::nullopt, "no route to host");
        });
    }
    void peer_list(const Url& url, int count, Done<std::vector<Peer>> done) override
    {
        calls.push_back("getPeerList " + url.to_string() + " " + std::to_string(count));
        pending.push_back([this, done] {
            if (reachable)
                done(peers, "");
            else
                done(std::nullopt, "no route to host");
        });
    }
    void bootstrap_peer(Done<std::string> done) override
    {
        calls.push_back("getBootstrapPeer");
        answer_later(done, bootstrap, "no peer known");
    }
    void ca_certificate(Done<std::string> done) override
    {
        calls.push_back("getCa");
        answer_later(done, ca, "connection refused");
    }
    void renew_certificate(const std::string& csr, Renewed done) override
    {
        calls.push_back("renewCertificate");
        pending.push_back([this, csr, done] {
            if (!renew)
                done(std::nullopt, "connection refused", false);
            else if (auto certificate = renew(csr))
                done(*certificate, "", false);
            else
                done(std::nullopt, "the registry refused", true);
        });
    }
    // getNetworkConfig runs on a schedule of its own: its calls and answers
    // are kept apart ("getNetworkConfig public -", "getNetworkConfig
    // http://[2001:db8:42::1]:9080/ 1700000000").
    void network_config(const std::optional<Url>& url, std::optional<std::int64_t> version,
                        Configured done) override
    {
        config_calls.push_back("getNetworkConfig " + (url ? url->to_string() : "public") + " "
                               + (version ? std::to_string(*version) : "-"));
        config_pending.push_back([this, private_url = url.has_value(), done] {
            if (!config_method)
                done(std::nullopt, "fault -506: method not found", true);
            else if (private_url && !reachable)
                done(std::nullopt, "no route to host", false);
            else if (network_config_answer)
                done(*network_config_answer, "", false);
            else
                done(std::nullopt, "connection refused", false);
        });
    }
    // reportTunnels too ("reportTunnels http://[2001:db8:42::1]:9080/ 1/16 2/16").
    void report_tunnels(const Url& url, const std::string& peers, Reported done) override
    {
        report_calls.push_back("reportTunnels " + url.to_string() + " " + peers);
        report_pending.push_back([this, done] {
            if (!report_method)
                done(false, "fault -506: method not found", true);
            else if (!reachable)
                done(false, "no route to host", false);
            else
                done(true, "", false);
        });
    }
    void answer_report()
    {
        ASSERT_FALSE(report_pending.empty());
        auto next = std::move(report_pending.front());
        report_pending.pop_front();
        next();
    }
    void answer_config()
    {
        ASSERT_FALSE(config_pending.empty());
        auto next = std::move(config_pending.front());
        config_pending.pop_front();
        next();
    }

    // Queues the answer: `value` as it is when delivered, else `error`.
    void answer_later(Done<std::string> done, const std::optional<std::string>& value,
                      const char* error)
    {
        pending.push_back([&value, done, error] {
            if (value)
                done(*value, "");
            else
                done(std::nullopt, error);
        });
    }
    // Delivers the answer to the oldest call.
    void answer()
    {
        ASSERT_FALSE(pending.empty());
        auto next = std::move(pending.front());
        pending.pop_front();
        next();
    }
    void answer_all()
    {
        while (!pending.empty())
            answer();
    }

    std::optional<std::string> private_url = "http://[2001:db8:42::1]:9080/";
    bool reachable = true;
    bool accept_declare = true;
    std::vector<Peer> peers;
    std::optional<std::string> bootstrap;
    std::optional<std::string> ca;   // getCa's answer; none: unreachable
    // renewCertificate's answer to a CSR: a certificate, or nullopt for a
    // refusal; none: unreachable.
    std::function<std::optional<std::string>(const std::string& csr)> renew;
    std::vector<std::string> config_calls;
    std::deque<std::function<void()>> config_pending;
    // getNetworkConfig's answer; none: unreachable. Without the method: a
    // registry of the 2012 protocol.
    std::optional<std::string> network_config_answer;
    bool config_method = true;
    std::vector<std::string> report_calls;
    std::deque<std::function<void()>> report_pending;
    bool report_method = true;   // false: a registry older than reportTunnels
};

}  // namespace re6st::test
