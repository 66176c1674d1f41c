// A Babel wildcard route request on one interface.
#include "re6stnet/babel/route_request.hpp"

#include "common/unique_fd.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace re6st {

namespace {

constexpr std::uint8_t babel_magic = 42;
constexpr std::uint8_t babel_version = 2;
constexpr std::uint8_t tlv_route_request = 9;
constexpr std::uint8_t ae_wildcard = 0;
constexpr std::uint16_t babel_port = 6696;
constexpr const char* babel_group = "ff02::1:6";

std::string failure(const std::string& what)
{
    return what + ": " + std::strerror(errno);
}

}  // namespace

std::vector<std::uint8_t> wildcard_route_request()
{
    // Header: magic, version, body length (2 bytes, network order); then
    // the TLV: type, length, address encoding, prefix length, no prefix.
    return {babel_magic, babel_version, 0, 4, tlv_route_request, 2, ae_wildcard, 0};
}

std::string request_routes(const std::string& interface)
{
    unsigned index = if_nametoindex(interface.c_str());
    if (index == 0)
        return failure("no interface " + interface);
    UniqueFd socket_fd(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!socket_fd)
        return failure("socket");
    int off = 0;
    if (setsockopt(socket_fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) != 0
        || setsockopt(socket_fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off) != 0)
        return failure("cannot send on " + interface);
    sockaddr_in6 group{};
    group.sin6_family = AF_INET6;
    group.sin6_port = htons(babel_port);
    group.sin6_scope_id = index;
    inet_pton(AF_INET6, babel_group, &group.sin6_addr);
    auto packet = wildcard_route_request();
    if (sendto(socket_fd.get(), packet.data(), packet.size(), 0,
               reinterpret_cast<const sockaddr*>(&group), sizeof group)
        != static_cast<ssize_t>(packet.size()))
        return failure("cannot send a route request on " + interface);
    return {};
}

}  // namespace re6st
