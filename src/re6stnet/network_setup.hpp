// What the daemon changes on the host (removed again at exit): the
// node address on the main interface, whose prefix route babeld announces;
// an unreachable route for the whole network, so overlay traffic with no
// babel route is dropped rather than leaked to the default route; and IPv6
// forwarding, since every node routes for others.
#pragma once

#include "common/prefix.hpp"
#include "re6stnet/process/command.hpp"

#include <string>

namespace re6st {

struct NodeAddressing {
    std::string interface;   // --main-interface
    Ipv6Address address;     // the node address
    Ipv6Prefix subnet;       // the node's subnet
    Ipv6Prefix network;
};

class NetworkSetup {
public:
    // `sysctl_dir` is /proc/sys, or a scratch directory in tests.
    NetworkSetup(CommandRunner run, NodeAddressing addressing,
                 std::string sysctl_dir = "/proc/sys");

    // Throws std::runtime_error naming the command that failed.
    void apply();
    // Best effort: every step is tried, failures are logged.
    void undo();

private:
    void run_or_throw(const std::vector<std::string>& argv);
    std::string forwarding_path() const;

    CommandRunner run_;
    NodeAddressing addressing_;
    std::string sysctl_dir_;
    bool enabled_forwarding_ = false;
};

}  // namespace re6st
