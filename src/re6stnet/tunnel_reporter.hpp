// Tells the registry which peers this node has tunnels to (reportTunnels,
// over the private URL), for the map of the mesh: when the set changed
// since the last successful report and, unchanged, every 5 minutes so that
// the registry can tell a live report from a stale one. At most one call
// per --config-refresh, failures included. A registry without the method
// is logged once and never asked again.
//
// Driven by the daemon's loop: run(now, ...) with the current set of peers
// does what is due; it needs no timer of its own.
#pragma once

#include "common/url.hpp"
#include "re6stnet/registry_client.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <string>

namespace re6st {

class TunnelReporter {
public:
    using Clock = std::chrono::steady_clock;

    struct Settings {
        std::chrono::seconds period{60};       // --config-refresh: the least time between calls
        std::chrono::seconds refresh{300};     // an unchanged set is reported again after this
    };

    TunnelReporter(Registry& registry, Settings settings);

    void set_period(std::chrono::seconds period) { settings_.period = period; }

    // `peers`: the CNs of the nodes we have tunnels to now (client tunnels
    // up, clients connected to our servers). `private_url`: the registry's,
    // when reachable (nullopt: no tunnel up, nothing to do).
    void run(Clock::time_point now, const std::set<std::string>& peers,
             const std::optional<Url>& private_url);

    bool busy() const { return busy_; }
    bool abandoned() const { return abandoned_; }

private:
    Registry& registry_;
    Settings settings_;
    bool busy_ = false;
    bool abandoned_ = false;                       // the registry lacks the method
    std::optional<std::string> reported_;          // the last set the registry stored
    std::optional<Clock::time_point> reported_at_; // when it was sent
    std::optional<Clock::time_point> last_call_;   // the last call, failed or not
};

// The argument of reportTunnels: the CNs separated by single spaces.
std::string tunnel_report_text(const std::set<std::string>& peers);

}  // namespace re6st
