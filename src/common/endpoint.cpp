// The endpoint list codec.
#include "common/endpoint.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <optional>

namespace re6st {

namespace {

// The canonical text of an address literal (RFC 5952 for IPv6, as glibc's
// inet_ntop writes it), or "" if `text` is none.
std::string canonical_ip(std::string_view text)
{
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN || text.find('\0') != text.npos)
        return {};
    std::string copy(text);
    std::array<unsigned char, 16> buffer;
    char out[INET6_ADDRSTRLEN];
    for (int family : {AF_INET, AF_INET6})
        if (inet_pton(family, copy.c_str(), buffer.data()) == 1
            && inet_ntop(family, buffer.data(), out, sizeof out))
            return out;
    return {};
}

AddressFamily family_of(std::string_view ip)
{
    return ip.find(':') == ip.npos ? AddressFamily::ipv4 : AddressFamily::ipv6;
}

// The family a client proto forces, if any ("udp6", "tcp4-client").
std::optional<AddressFamily> proto_family(std::string_view proto)
{
    if (proto.size() > 3 && proto[3] == '4')
        return AddressFamily::ipv4;
    if (proto.size() > 3 && proto[3] == '6')
        return AddressFamily::ipv6;
    return std::nullopt;
}

}  // namespace

bool is_client_proto(std::string_view proto)
{
    static constexpr std::string_view known[] = {
        "udp", "udp4", "udp6", "tcp", "tcp4", "tcp6",
        "tcp-client", "tcp4-client", "tcp6-client",
    };
    for (auto name : known)
        if (proto == name)
            return true;
    return false;
}

std::string_view family_name(AddressFamily family)
{
    return family == AddressFamily::ipv6 ? "IPv6" : "IPv4";
}

std::string_view transport_name(Transport transport)
{
    switch (transport) {
    case Transport::udp: return "udp";
    case Transport::tcp: return "tcp";
    case Transport::udp6: return "udp6";
    case Transport::tcp6: return "tcp6";
    }
    return "udp";
}

bool is_tcp(Transport transport)
{
    return transport == Transport::tcp || transport == Transport::tcp6;
}

AddressFamily transport_family(Transport transport)
{
    return transport == Transport::udp6 || transport == Transport::tcp6 ? AddressFamily::ipv6
                                                                        : AddressFamily::ipv4;
}

std::string_view client_proto(Transport transport)
{
    switch (transport) {
    case Transport::udp: return "udp";
    case Transport::tcp: return "tcp-client";
    case Transport::udp6: return "udp6";
    case Transport::tcp6: return "tcp6-client";
    }
    return "udp";
}

AddressFamily Endpoint::family() const
{
    return family_of(ip);
}

Transport Endpoint::transport() const
{
    bool tcp = proto.starts_with("tcp");
    if (family() == AddressFamily::ipv6)
        return tcp ? Transport::tcp6 : Transport::udp6;
    return tcp ? Transport::tcp : Transport::udp;
}

Endpoint parse_endpoint(std::string_view item)
{
    auto bad = [&](const char* why) {
        return EndpointError("bad endpoint \"" + std::string(item) + "\": " + why);
    };
    auto first = item.find(',');
    auto second = first == item.npos ? item.npos : item.find(',', first + 1);
    if (second == item.npos || item.find(',', second + 1) != item.npos)
        throw bad("expected ip,port,proto");

    Endpoint endpoint;
    auto ip = item.substr(0, first);
    auto port = item.substr(first + 1, second - first - 1);
    auto proto = item.substr(second + 1);
    if (ip.starts_with('['))
        throw bad("write an IPv6 address without brackets (2001:db8::1,1194,udp6)");
    auto canonical = canonical_ip(ip);
    if (canonical.empty())
        throw bad("not an IP address");
    if (canonical.starts_with("::ffff:") && canonical.find('.') != canonical.npos)
        throw bad("an IPv4-mapped IPv6 address: write the IPv4 address");
    unsigned value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size()
        || value == 0 || value > 65535)
        throw bad("port must be a number in 1..65535");
    if (!is_client_proto(proto))
        throw bad("unknown protocol");
    auto forced = proto_family(proto);
    if (forced && *forced != family_of(canonical))
        throw bad("the protocol is for the other address family");
    endpoint.ip = canonical;
    endpoint.port = value;
    endpoint.proto = proto;
    return endpoint;
}

std::vector<Endpoint> parse_endpoints(std::string_view text)
{
    std::vector<Endpoint> endpoints;
    if (text.empty())
        return endpoints;
    std::size_t start = 0;
    for (;;) {
        auto end = text.find(';', start);
        endpoints.push_back(parse_endpoint(text.substr(start, end - start)));
        if (end == text.npos)
            return endpoints;
        start = end + 1;
    }
}

std::string format_endpoint(const Endpoint& endpoint)
{
    return endpoint.ip + "," + std::to_string(endpoint.port) + "," + endpoint.proto;
}

std::string format_endpoints(const std::vector<Endpoint>& endpoints)
{
    std::string text;
    for (const auto& endpoint : endpoints) {
        if (!text.empty())
            text += ';';
        text += format_endpoint(endpoint);
    }
    return text;
}

}  // namespace re6st
