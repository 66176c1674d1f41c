// The command line of babeld. Pure: an argv vector.
#pragma once

#include "common/prefix.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace re6st {

struct BabeldSettings {
    std::string program = "babeld";
    Network network{Ipv6Prefix()};
    Ipv6Prefix subnet;                 // this node's subnet, announced
    Ipv6Address address;               // this node's address, preferred source
    std::chrono::seconds hello{15};                  // LANs; tunnels' updates at 4x
    std::chrono::milliseconds tunnel_hello{250};     // hellos on taps
    bool wireless = false;
    int verbosity = 0;                 // re6stnet's --verbose, 0 to 3
    std::string state_file, pid_file, control_socket;
    std::vector<std::string> tunnels;  // every tap name, existing or not yet
    std::vector<std::string> lan_interfaces;
};

std::vector<std::string> babeld_command(const BabeldSettings& settings);

// The statement that declares the tap `tunnel` to babeld, given on its
// command line, or on its control socket for a tap added while it runs
// (which inherits no default: every option is on it).
std::string babeld_tunnel_interface(const BabeldSettings& settings, const std::string& tunnel);

// How long, after Babel goes silent on a tap, the babeld at its other end
// goes on routing into it: with link-quality estimation, a neighbour's cost
// doubles with each hello missed and is infinite after twelve, counted at
// each hello interval; then its routes are retracted. Sixteen tunnel hellos
// and a second, at most a minute.
std::chrono::milliseconds drain_time(std::chrono::milliseconds tunnel_hello);

}  // namespace re6st
