// The endpoints a node declares.
#include "re6stnet/own_endpoints.hpp"

namespace re6st {

std::vector<Endpoint> own_endpoints(const std::vector<ServerPort>& ports,
                                    const OwnAddresses& addresses)
{
    std::vector<Endpoint> endpoints;
    bool mapped = !addresses.mapped.empty();
    if (mapped)
        endpoints = addresses.mapped;
    for (const auto& port : ports) {
        const auto& ip = transport_family(port.transport) == AddressFamily::ipv6 ? addresses.ipv6
                                                                                 : addresses.ipv4;
        if (transport_family(port.transport) == AddressFamily::ipv4 && mapped)
            continue;
        if (!ip.empty())
            endpoints.push_back({ip, port.port, port.client_proto()});
    }
    return endpoints;
}

}  // namespace re6st
