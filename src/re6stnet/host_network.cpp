// The host's underlay, read and judged.
#include "re6stnet/host_network.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <utility>

namespace re6st {

namespace {

// 32 hex digits, as /proc/net writes an IPv6 address.
std::optional<Ipv6Address> hex_address(std::string_view hex)
{
    if (hex.size() != 32)
        return std::nullopt;
    Ipv6Address::Bytes bytes;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        auto [end, error] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, bytes[i], 16);
        if (error != std::errc() || end != hex.data() + 2 * i + 2)
            return std::nullopt;
    }
    return Ipv6Address(bytes);
}

std::vector<std::vector<std::string>> fields_by_line(std::string_view text)
{
    std::vector<std::vector<std::string>> lines;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::vector<std::string> fields;
        for (std::string word; words >> word;)
            fields.push_back(word);
        lines.push_back(std::move(fields));
    }
    return lines;
}

std::string read_text(const char* path)
{
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool within(const Ipv6Address& address, std::string_view prefix)
{
    return Ipv6Prefix::parse(prefix).contains(address);
}

}  // namespace

std::vector<Ipv6Address> parse_if_inet6(std::string_view text)
{
    // address ifindex prefix-length scope flags device
    constexpr unsigned temporary = 0x01, dad_failed = 0x08, deprecated = 0x20;
    std::vector<Ipv6Address> addresses;
    for (const auto& fields : fields_by_line(text)) {
        if (fields.size() != 6)
            continue;
        unsigned flags = 0;
        auto [end, error] = std::from_chars(fields[4].data(), fields[4].data() + fields[4].size(),
                                            flags, 16);
        if (error != std::errc() || (flags & (temporary | dad_failed | deprecated)))
            continue;
        if (auto address = hex_address(fields[0]))
            addresses.push_back(*address);
    }
    return addresses;
}

std::vector<Ipv6Route> parse_ipv6_routes(std::string_view text)
{
    // destination length source length next-hop metric refs use flags device
    std::vector<Ipv6Route> routes;
    for (const auto& fields : fields_by_line(text)) {
        if (fields.size() != 10)
            continue;
        auto destination = hex_address(fields[0]);
        unsigned length = 0;
        auto [end, error] = std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(),
                                            length, 16);
        if (!destination || error != std::errc() || length > 128)
            continue;
        routes.push_back({Ipv6Prefix(*destination, length), fields[9]});
    }
    return routes;
}

std::vector<std::string> parse_ipv4_route_devices(std::string_view text)
{
    // A header line, then: device destination gateway flags ...
    std::vector<std::string> devices;
    bool header = true;
    for (const auto& fields : fields_by_line(text)) {
        if (std::exchange(header, false) || fields.size() < 8)
            continue;
        devices.push_back(fields[0]);
    }
    return devices;
}

HostNetwork read_host_network()
{
    return {parse_if_inet6(read_text("/proc/net/if_inet6")),
            parse_ipv6_routes(read_text("/proc/net/ipv6_route")),
            parse_ipv4_route_devices(read_text("/proc/net/route"))};
}

std::optional<Ipv6Address> underlay_ipv6_address(const HostNetwork& host, const Network& overlay)
{
    for (auto space : {"2000::/3", "fc00::/7"})
        for (const auto& address : host.ipv6_addresses)
            if (within(address, space) && !overlay.contains(address))
                return address;
    return std::nullopt;
}

bool has_underlay_ipv6(const HostNetwork& host, const Network& overlay)
{
    return underlay_ipv6_address(host, overlay).has_value();
}

std::set<AddressFamily> usable_families(const HostNetwork& host, const Network& overlay)
{
    std::set<AddressFamily> families;
    for (const auto& device : host.ipv4_route_devices)
        if (device != "lo")
            families.insert(AddressFamily::ipv4);
    for (const auto& route : host.ipv6_routes) {
        const auto& destination = route.destination;
        bool local_space = Ipv6Prefix::parse("fe80::/10").contains(destination)
                           || Ipv6Prefix::parse("ff00::/8").contains(destination);
        if (route.device != "lo" && !local_space && !overlay.contains(destination))
            families.insert(AddressFamily::ipv6);
    }
    if (host.ipv4_route_devices.empty() && host.ipv6_routes.empty())
        return {AddressFamily::ipv4, AddressFamily::ipv6};
    return families;
}

std::string describe_families(const std::set<AddressFamily>& families)
{
    std::string text;
    for (auto family : families)
        text += (text.empty() ? "" : " and ") + std::string(family_name(family));
    return text.empty() ? "none" : text;
}

std::vector<ServerPort> default_servers(bool ipv6)
{
    std::vector<ServerPort> servers{{1194, Transport::udp},
                                                             {1194, Transport::tcp}};
    if (ipv6)
        servers = {{1194, Transport::udp}, {1194, Transport::udp6}, {1194, Transport::tcp},
                   {1194, Transport::tcp6}};
    return servers;
}

std::vector<Endpoint> usable_endpoints(const std::vector<Endpoint>& endpoints,
                                       const std::set<AddressFamily>& families)
{
    std::vector<Endpoint> usable;
    for (const auto& endpoint : endpoints)
        if (families.count(endpoint.family()))
            usable.push_back(endpoint);
    return usable;
}

}  // namespace re6st
