// The endpoint list a node advertises: "ip,port,proto" items joined by ";",
// e.g. "192.0.2.1,1194,udp;192.0.2.1,1194,tcp", where proto is what a
// client passes to OpenVPN's --proto.
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

// What carries a tunnel. An OpenVPN server listens on one.
enum class Transport { udp, tcp };

std::string_view transport_name(Transport transport);   // "udp", "tcp"

struct Endpoint {
    std::string ip;       // IPv4 or IPv6 literal, no brackets
    std::uint16_t port = 0;
    std::string proto;    // what a client passes to OpenVPN's --proto

    Transport transport() const;
    bool operator==(const Endpoint&) const = default;
};

// Client protocols OpenVPN accepts for --remote: udp, udp4, udp6, tcp, tcp4,
// tcp6, tcp-client, tcp4-client, tcp6-client. Never "tcp-server": that is
// the server's side, which the original wrongly advertised to its peers.
bool is_client_proto(std::string_view proto);

Endpoint parse_endpoint(std::string_view item);
// An empty list is valid (a node that accepts no incoming tunnel).
std::vector<Endpoint> parse_endpoints(std::string_view text);

std::string format_endpoint(const Endpoint& endpoint);
std::string format_endpoints(const std::vector<Endpoint>& endpoints);

}  // namespace re6st
