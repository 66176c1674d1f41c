// What reportTunnels carries: the prefixes, in CN form ("123/16"), of the
// nodes the caller has tunnels to, separated by spaces. Parsed without I/O;
// a bad report is refused whole.
#pragma once

#include "common/prefix.hpp"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace re6st::registry {

// Bounds on one report: far above any node's tunnel count (a few dozen),
// low enough that a report costs the registry little. 1000 of the longest
// CN ("<39 digits>/127") fit in the byte bound.
inline constexpr std::size_t max_tunnel_report_entries = 1000;
inline constexpr std::size_t max_tunnel_report_bytes = 48 * 1024;

class TunnelReportError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// The binary prefixes `peers` names, sorted (as strings) and without
// duplicates; "" or spaces only: none. Each entry must be a node prefix of
// `network` other than `own_bits` (the caller's). TunnelReportError, quoting
// the bad entry, for anything else or past the bounds.
std::vector<std::string> parse_tunnel_report(std::string_view peers, const Network& network,
                                             std::string_view own_bits);

// The stored form of a parsed report: the CNs, separated by single spaces.
std::string format_tunnel_report(const std::vector<std::string>& bits);

}  // namespace re6st::registry
