// Recording the daemon's calls to the registry.
#include "re6stnet/registry_calls.hpp"

namespace re6st {

namespace {

using Outcome = RegistryCalls::Outcome;
using steady = std::chrono::steady_clock;

}  // namespace

const std::array<const char*, 8> RegistryCalls::methods = {
    "getPrivateAddress", "declare", "getPeerList", "getBootstrapPeer",
    "getCa", "renewCertificate", "getNetworkConfig", "reportTunnels"};

const char* RegistryCalls::outcome_name(Outcome outcome)
{
    switch (outcome) {
    case Outcome::ok:
        return "ok";
    case Outcome::refused:
        return "refused";
    default:
        return "error";
    }
}

RegistryCalls::RegistryCalls(WallClock wall) : wall_(std::move(wall)) {}

void RegistryCalls::record(std::string_view method, Outcome outcome, const std::string& error,
                           steady::duration elapsed)
{
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(wall_());
    if (outcome == Outcome::ok) {
        auto found = last_success_.find(method);
        if (found == last_success_.end())
            last_success_.emplace(std::string(method), now);
        else
            found->second = now;
    } else {
        last_error_ = NodeStatus::RegistryCall{std::string(method), error, now};
    }
    if (observer)
        observer(method, outcome, elapsed);
}

std::optional<NodeStatus::Time> RegistryCalls::last_success(std::string_view method) const
{
    auto found = last_success_.find(method);
    if (found == last_success_.end())
        return std::nullopt;
    return found->second;
}

RecordedRegistry::RecordedRegistry(Registry& registry, RegistryCalls& calls)
    : registry_(registry), calls_(calls)
{
}

void RecordedRegistry::ended(const char* method, steady::time_point start, Outcome outcome,
                             const std::string& error)
{
    calls_.record(method, outcome, error, steady::now() - start);
}

template <class T>
Registry::Done<T> RecordedRegistry::recorded(const char* method, Done<T> done)
{
    return [this, method, start = steady::now(), done = std::move(done)](
               std::optional<T> result, const std::string& error) {
        ended(method, start, result ? Outcome::ok : Outcome::error, error);
        done(std::move(result), error);
    };
}

void RecordedRegistry::private_address(Done<std::string> done)
{
    registry_.private_address(recorded("getPrivateAddress", std::move(done)));
}

void RecordedRegistry::declare(const Url& private_url, const std::string& address,
                               Done<bool> done)
{
    registry_.declare(private_url, address,
                      [this, start = steady::now(), done = std::move(done)](
                          std::optional<bool> accepted, const std::string& error) {
                          auto outcome = !accepted ? Outcome::error
                                         : *accepted ? Outcome::ok
                                                     : Outcome::refused;
                          ended("declare", start, outcome,
                                outcome == Outcome::refused ? "declaration refused" : error);
                          done(accepted, error);
                      });
}

void RecordedRegistry::peer_list(const Url& private_url, int count,
                                 Done<std::vector<Peer>> done)
{
    registry_.peer_list(private_url, count, recorded("getPeerList", std::move(done)));
}

void RecordedRegistry::bootstrap_peer(Done<std::string> done)
{
    registry_.bootstrap_peer(recorded("getBootstrapPeer", std::move(done)));
}

void RecordedRegistry::ca_certificate(Done<std::string> done)
{
    registry_.ca_certificate(recorded("getCa", std::move(done)));
}

void RecordedRegistry::renew_certificate(const std::string& csr, Renewed done)
{
    registry_.renew_certificate(
        csr, [this, start = steady::now(), done = std::move(done)](
                 std::optional<std::string> certificate, const std::string& error, bool refused) {
            ended("renewCertificate", start,
                  certificate ? Outcome::ok : refused ? Outcome::refused : Outcome::error, error);
            done(std::move(certificate), error, refused);
        });
}

void RecordedRegistry::network_config(const std::optional<Url>& private_url,
                                      std::optional<std::int64_t> version, Configured done)
{
    registry_.network_config(
        private_url, version,
        [this, start = steady::now(), done = std::move(done)](
            std::optional<std::string> answer, const std::string& error, bool no_method) {
            ended("getNetworkConfig", start,
                  answer ? Outcome::ok : no_method ? Outcome::refused : Outcome::error, error);
            done(std::move(answer), error, no_method);
        });
}

void RecordedRegistry::report_tunnels(const Url& private_url, const std::string& peers,
                                      Reported done)
{
    registry_.report_tunnels(
        private_url, peers,
        [this, start = steady::now(), done = std::move(done)](bool ok, const std::string& error,
                                                              bool no_method) {
            ended("reportTunnels", start,
                  ok ? Outcome::ok : no_method ? Outcome::refused : Outcome::error, error);
            done(ok, error, no_method);
        });
}

}  // namespace re6st
