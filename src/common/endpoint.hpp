// The endpoint list a node advertises: "ip,port,proto" items joined by ";",
// e.g. "192.0.2.1,1194,udp;2001:db8::1,1194,udp6", where proto is what a
// client passes to OpenVPN's --proto. An IPv6 address is written plainly:
// it holds no "," or ";", so it needs no brackets.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace re6st {

// The message quotes the bad item and says what is wrong with it.
class EndpointError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// The underlay a tunnel runs over.
enum class AddressFamily { ipv4, ipv6 };

std::string_view family_name(AddressFamily family);   // "IPv4", "IPv6"

// What carries a tunnel: a protocol over one address family, as the user
// names it in --pp. An OpenVPN server listens on one.
enum class Transport { udp, tcp, udp6, tcp6 };

std::string_view transport_name(Transport transport);   // "udp", "tcp", "udp6", "tcp6"
bool is_tcp(Transport transport);
AddressFamily transport_family(Transport transport);
// What a client passes to OpenVPN's --proto to reach a server of that
// transport: "udp", "tcp-client", "udp6", "tcp6-client".
std::string_view client_proto(Transport transport);

struct Endpoint {
    std::string ip;       // IPv4 or IPv6 literal in RFC 5952 form, no brackets
    std::uint16_t port = 0;
    std::string proto;    // what a client passes to OpenVPN's --proto

    AddressFamily family() const;    // from the address
    Transport transport() const;     // the proto's protocol over that family
    bool operator==(const Endpoint&) const = default;
};

// Client protocols OpenVPN accepts for --remote: udp, udp4, udp6, tcp, tcp4,
// tcp6, tcp-client, tcp4-client, tcp6-client. Never "tcp-server": that is
// the server's side, which the original wrongly advertised to its peers.
bool is_client_proto(std::string_view proto);

// Refuses a bracketed IPv6 address (one spelling of each endpoint, so that
// the registry stores and compares one text), an IPv4-mapped IPv6 address,
// and a proto that names the other family than the address ("udp4" with
// an IPv6 address). The address comes back in its canonical text
// (2001:DB8:0::1 -> 2001:db8::1).
Endpoint parse_endpoint(std::string_view item);
// An empty list is valid (a node that accepts no incoming tunnel).
std::vector<Endpoint> parse_endpoints(std::string_view text);

std::string format_endpoint(const Endpoint& endpoint);
std::string format_endpoints(const std::vector<Endpoint>& endpoints);

}  // namespace re6st
