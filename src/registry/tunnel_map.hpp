// The overlay as the nodes' tunnel reports draw it: what `re6st-registry
// map` prints, as a Graphviz graph or as JSON. The map is built from data
// without I/O; read_tunnel_map only gathers that data from the database.
#pragma once

#include "common/prefix.hpp"
#include "common/sqlite.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace re6st::registry {

// A report older than this is stale. A node reports its tunnels when they
// change and, unchanged, every 5 minutes (at most once per --config-refresh,
// whichever is longer): twice that period, so that one lost report does not
// make a live node look stale. Fixed rather than derived from the network's
// --config-refresh, which the database does not keep as a number.
inline constexpr std::chrono::seconds tunnel_report_stale_after{600};

// A stored report: the reporting node's binary prefix, the CNs of its peers
// separated by spaces, and when it reported (seconds since the epoch).
struct StoredTunnelReport {
    std::string prefix;
    std::string peers;
    std::int64_t date = 0;
};

struct TunnelMap {
    struct Node {
        std::string prefix;                    // CN form, "123/16"
        std::optional<std::string> address;    // overlay address; unknown without the network
        std::optional<std::int64_t> reported;  // its last report, seconds since the epoch
        bool stale = true;                     // no report, or a stale one
    };
    // One per pair of nodes, whichever end reported it; a < b in the order
    // of the nodes.
    struct Tunnel {
        std::string a, b;   // CN form
        bool stale = true;  // no fresh report of either end names it
    };
    std::vector<Node> nodes;       // by binary prefix
    std::vector<Tunnel> tunnels;   // by a, then b
};

// `nodes`: the binary prefixes of the nodes that hold a certificate. A
// report's entry naming no such node (revoked since, or unreadable) is left
// out, as is the report of a node not among them.
TunnelMap build_tunnel_map(std::vector<std::string> nodes,
                           const std::vector<StoredTunnelReport>& reports,
                           const std::optional<Network>& network, std::int64_t now);

// The map of the database's nodes (vpn rows with a certificate) and reports.
TunnelMap read_tunnel_map(sqlite::Database& db, const std::optional<Network>& network,
                          std::int64_t now);

// An undirected Graphviz graph: a box per node labelled with its prefix and
// address, an edge per tunnel; stale ones dashed and grey.
std::string tunnel_map_dot(const TunnelMap& map);
// {"nodes": [{"prefix", "address", "reported", "stale"}...],
//  "tunnels": [{"a", "b", "stale"}...]}; null for what is unknown.
std::string tunnel_map_json(const TunnelMap& map);

}  // namespace re6st::registry
