// babeld's answer to "dump" on its control socket, and the route
// counts the tunnel manager decides with.
#pragma once

#include "common/prefix.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace re6st {

// One "add route ..." line:
// add route 5627e0e1b970 prefix 2001:db8:42:2::/64 from ::/0 installed yes
//   id 02:16:3e:ff:fe:00:00:02 metric 96 refmetric 0 via fe80::1 if re6stnet0
struct BabelRoute {
    Ipv6Prefix prefix;
    bool installed = false;
    unsigned metric = 0;
    unsigned refmetric = 0;   // as the neighbour announced it: 0 for its own
    std::string via;          // neighbour's link-local address
    std::string interface;

    bool operator==(const BabelRoute&) const = default;
};

// One "add neighbour ..." line (rtt and rtt-cost only when timestamps are on):
// add neighbour 55e137433eb0 address fe80::78dc:38ff:fe7b:e48b if re6stnet1
//   reach fffe ureach 0000 rxcost 96 txcost 96 rtt 1.250 rtt-cost 0 cost 96
struct BabelNeighbour {
    std::string address;              // link-local
    std::string interface;
    unsigned cost = 0;
    std::optional<double> rtt_ms;     // babeld writes milliseconds, to the microsecond

    bool operator==(const BabelNeighbour&) const = default;
};

struct BabelDump {
    std::vector<BabelRoute> routes;   // IPv6 routes only
    std::vector<BabelNeighbour> neighbours;
    unsigned malformed_lines = 0;     // route and neighbour lines that did not parse
};

// Takes the data lines of a dump (without the final "ok"); lines of other
// kinds (interfaces, xroutes) and IPv4 routes are skipped.
BabelDump parse_babel_dump(std::string_view text);

struct RouteCount {
    std::map<std::string, unsigned> per_interface;   // installed routes in the network
    std::set<std::string> lan_prefixes;              // node prefixes (bits) seen on a LAN
};

// Counts, for each interface, the installed routes to node subnets inside
// `network`. A route through one of `lan_interfaces` whose neighbour
// announces it as its own (refmetric 0) names a node on the LAN (no
// tunnel is opened to such a peer); nodes merely reached through a LAN
// neighbour are not on the LAN.
RouteCount count_routes(const std::vector<BabelRoute>& routes, const Network& network,
                        const std::set<std::string>& lan_interfaces);

}  // namespace re6st
