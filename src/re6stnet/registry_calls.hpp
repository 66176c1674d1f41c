// The daemon's calls to the registry, as they end: RecordedRegistry passes
// each call on to the real Registry and tells RegistryCalls how it ended.
// The node's status reads the last success of each method and the last
// failure; its metrics hear of every call, with its duration.
#pragma once

#include "re6stnet/node_status.hpp"
#include "re6stnet/registry_client.hpp"

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace re6st {

class RegistryCalls {
public:
    using WallClock = std::function<NodeStatus::Time()>;
    // "refused": the registry answered no (a declaration or a renewal it
    // refused, a method it lacks); "error": no answer, or a fault.
    enum class Outcome { ok, refused, error };
    static const char* outcome_name(Outcome outcome);
    // The methods, as the registry names them.
    static const std::array<const char*, 8> methods;

    explicit RegistryCalls(WallClock wall = std::chrono::system_clock::now);

    void record(std::string_view method, Outcome outcome, const std::string& error,
                std::chrono::steady_clock::duration elapsed);

    std::optional<NodeStatus::Time> last_success(std::string_view method) const;
    const std::optional<NodeStatus::RegistryCall>& last_error() const { return last_error_; }

    // Hears of every call as it ends.
    std::function<void(std::string_view method, Outcome outcome,
                       std::chrono::steady_clock::duration elapsed)>
        observer;

private:
    WallClock wall_;
    std::map<std::string, NodeStatus::Time, std::less<>> last_success_;
    std::optional<NodeStatus::RegistryCall> last_error_;
};

class RecordedRegistry final : public Registry {
public:
    RecordedRegistry(Registry& registry, RegistryCalls& calls);

    void private_address(Done<std::string> done) override;
    void declare(const Url& private_url, const std::string& address, Done<bool> done) override;
    void peer_list(const Url& private_url, int count, Done<std::vector<Peer>> done) override;
    void bootstrap_peer(Done<std::string> done) override;
    void ca_certificate(Done<std::string> done) override;
    void renew_certificate(const std::string& csr, Renewed done) override;
    void network_config(const std::optional<Url>& private_url,
                        std::optional<std::int64_t> version, Configured done) override;
    void report_tunnels(const Url& private_url, const std::string& peers,
                        Reported done) override;

private:
    // Records a call to `method` that began at `start`.
    void ended(const char* method, std::chrono::steady_clock::time_point start,
               RegistryCalls::Outcome outcome, const std::string& error);
    template <class T>
    Done<T> recorded(const char* method, Done<T> done);

    Registry& registry_;
    RegistryCalls& calls_;
};

}  // namespace re6st
