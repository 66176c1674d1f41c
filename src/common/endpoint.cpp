// The endpoint list codec.
#include "common/endpoint.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>

namespace re6st {

namespace {

bool is_ip_literal(std::string_view text)
{
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN || text.find('\0') != text.npos)
        return false;
    std::string copy(text);
    std::array<unsigned char, 16> buffer;
    return inet_pton(AF_INET, copy.c_str(), buffer.data()) == 1
        || inet_pton(AF_INET6, copy.c_str(), buffer.data()) == 1;
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

std::string_view transport_name(Transport transport)
{
    return transport == Transport::tcp ? "tcp" : "udp";
}

Transport Endpoint::transport() const
{
    return proto.starts_with("tcp") ? Transport::tcp : Transport::udp;
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
    if (!is_ip_literal(ip))
        throw bad("not an IP address");
    unsigned value = 0;
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size()
        || value == 0 || value > 65535)
        throw bad("port must be a number in 1..65535");
    if (!is_client_proto(proto))
        throw bad("unknown protocol");
    endpoint.ip = ip;
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
