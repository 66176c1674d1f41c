// What the host offers as an underlay: its IPv6 addresses and the routes of
// both families, read from /proc/net, and the decisions taken from them
// (which transports to serve without --pp, which endpoint families a tunnel
// may try). The decisions are pure functions of what was read.
#pragma once

#include "common/endpoint.hpp"
#include "common/prefix.hpp"
#include "re6stnet/config.hpp"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace re6st {

struct Ipv6Route {
    Ipv6Prefix destination;
    std::string device;
    bool operator==(const Ipv6Route&) const = default;
};

struct HostNetwork {
    std::vector<Ipv6Address> ipv6_addresses;      // of every interface
    std::vector<Ipv6Route> ipv6_routes;           // the main table's
    std::vector<std::string> ipv4_route_devices;  // one per IPv4 route
};

// The parsers of /proc/net/if_inet6, /proc/net/ipv6_route and
// /proc/net/route; lines they cannot read are skipped, and so are the
// addresses a peer should not be given: temporary (privacy) ones, which
// go away within a day, deprecated ones and those whose duplicate address
// detection failed.
std::vector<Ipv6Address> parse_if_inet6(std::string_view text);
std::vector<Ipv6Route> parse_ipv6_routes(std::string_view text);
std::vector<std::string> parse_ipv4_route_devices(std::string_view text);

// The host's, from /proc/net; what cannot be read is left empty.
HostNetwork read_host_network();

// The host's IPv6 address on the underlay: the first global one, else the
// first unique-local one, outside the overlay (whose addresses are the
// overlay's own, not an underlay). IPv6 has no NAT to learn through: this
// is the address peers reach the host at.
std::optional<Ipv6Address> underlay_ipv6_address(const HostNetwork& host, const Network& overlay);
bool has_underlay_ipv6(const HostNetwork& host, const Network& overlay);

// The families the host can reach peers over: one with a route through a
// real interface (not lo) to somewhere other than the overlay, link-local
// or multicast space. A default route is one; so is the on-link route of
// an address in a test network without a default route. A host that shows
// no route at all (/proc/net unreadable) gives nothing to choose by: both.
std::set<AddressFamily> usable_families(const HostNetwork& host, const Network& overlay);

// "IPv4 and IPv6", "IPv6", "none": for the log.
std::string describe_families(const std::set<AddressFamily>& families);

// The servers a node runs without --pp: udp and tcp on 1194, and udp6 and
// tcp6 beside them when the host has an underlay IPv6 address. UDP first:
// a peer tries our endpoints in this order, and UDP is what a tunnel
// should use when both families work.
std::vector<ServerPort> default_servers(bool ipv6);

// The endpoints of `endpoints` of a family in `families`, in their order.
std::vector<Endpoint> usable_endpoints(const std::vector<Endpoint>& endpoints,
                                       const std::set<AddressFamily>& families);

}  // namespace re6st
