// What a node is doing, as `re6stnet --status` shows it: its identity, its
// dealings with the registry, its endpoints, every tunnel (ours and our
// servers' clients), babeld's view and the peer cache. A plain document,
// filled by the daemon from its state and one babeld dump, and rendered as
// text tables (node_status_text.hpp) or JSON (node_status_json.hpp).
#pragma once

#include "re6stnet/babel/babel_dump.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace re6st {

struct NodeStatus {
    using Time = std::chrono::system_clock::time_point;   // wall time, whole seconds

    struct Identity {
        std::string prefix;                // the node's CN, "1/16"
        std::string subnet;                // "2001:db8:42:1::/64"
        std::string address;               // the node's overlay address
        std::string certificate_serial;    // hex, as re6st-registry revoke takes it
        Time certificate_not_after{};
        Time ca_not_after{};
        bool operator==(const Identity&) const = default;
    };

    struct RegistryCall {
        std::string method;                // "getPeerList"
        std::string message;
        Time at{};
        bool operator==(const RegistryCall&) const = default;
    };

    struct Registry {
        std::string url;                   // the public URL
        std::optional<Time> last_refresh;  // getPeerList answered
        std::optional<Time> last_declaration;
        std::optional<RegistryCall> last_error;
        std::optional<std::int64_t> config_version;   // the network configuration's
        bool operator==(const Registry&) const = default;
    };

    struct Endpoints {
        std::vector<std::string> advertised;   // "192.0.2.1,1194,udp", as declared
        bool upnp = false;                     // asking a gateway for mappings
        std::vector<std::string> mapped;       // what the gateway gave
        bool operator==(const Endpoints&) const = default;
    };

    struct Server {
        std::string interface;
        std::string transport;             // "udp", "tcp6"...
        unsigned port = 0;
        bool running = false;
        unsigned clients = 0;
        // The tap's counters (/sys/class/net/IF/statistics), all its
        // clients together; none when unreadable.
        std::optional<std::uint64_t> rx_bytes, tx_bytes;
        bool operator==(const Server&) const = default;
    };

    struct Tunnel {
        enum class Direction { client, server };
        Direction direction = Direction::client;
        std::string interface;
        std::string peer;                  // the peer's CN
        // A client tries these in order ("192.0.2.2:1194", "[2001:db8::2]:1194");
        // a server-side tunnel came in on our server's port (":1194").
        std::vector<std::string> endpoints;
        std::string transport;             // of the first endpoint
        // client: connecting, up, draining, closing; server side: up.
        std::string state;
        std::optional<Time> up_since;
        // From babeld's dump, none without it: installed routes through
        // this tunnel, and babeld's cost and round-trip time for the
        // neighbour at its other end.
        std::optional<unsigned> routes;
        std::optional<unsigned> cost;
        std::optional<double> rtt_ms;
        // The tap's counters, client tunnels only (a server's tap carries
        // all its clients).
        std::optional<std::uint64_t> rx_bytes, tx_bytes;
        bool operator==(const Tunnel&) const = default;
    };

    struct Babel {
        unsigned neighbours = 0;
        unsigned routes_installed = 0;
        bool operator==(const Babel&) const = default;
    };

    struct PeerCache {
        std::uint64_t known = 0, unused = 0, failed = 0;
        bool operator==(const PeerCache&) const = default;
    };

    // Counts since the daemon started.
    struct Counters {
        std::uint64_t tunnel_starts = 0;
        std::map<std::string, std::uint64_t> tunnel_failures;   // by reason
        std::uint64_t tunnel_replacements = 0;
        std::map<std::string, std::uint64_t> restarts;          // by program
        bool operator==(const Counters&) const = default;
    };

    std::string version;                   // of the daemon
    Time generated{};
    Identity identity;
    Registry registry;
    Endpoints endpoints;
    std::vector<Server> servers;
    std::vector<Tunnel> tunnels;
    std::optional<Babel> babel;            // none: babeld did not answer in time
    PeerCache peers;
    Counters counters;

    bool operator==(const NodeStatus&) const = default;
};

// "up", "connecting"...: what JSON and text write.
const char* direction_name(NodeStatus::Tunnel::Direction direction);

// Fills the babeld part from its dump: neighbours, installed routes, and
// for each tunnel the routes through it, its neighbour's cost and RTT. A
// client tunnel's tap has one neighbour; on a server's tap, a client is
// the neighbour that announces the client's subnet as its own.
void add_babel_view(NodeStatus& status, const BabelDump& dump, const Network& network);

// The bytes received and sent by an interface, from `sys_net`
// (/sys/class/net); none when unreadable.
struct InterfaceBytes {
    std::uint64_t rx = 0, tx = 0;
};
std::optional<InterfaceBytes> read_interface_bytes(const std::string& sys_net,
                                                   const std::string& interface);

}  // namespace re6st
