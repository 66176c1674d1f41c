// The endpoints a node without --ip declares: for each family, its public
// address (mapped by UPnP, or as the peers' servers saw it) with its
// servers of that family.
#pragma once

#include "common/endpoint.hpp"
#include "re6stnet/config.hpp"

#include <string>
#include <vector>

namespace re6st {

struct OwnAddresses {
    std::vector<Endpoint> mapped;   // UPnP's, IPv4 only; empty: none
    std::string ipv4, ipv6;         // learned from route-up; empty: not yet
};

// In the order of `ports` (a client tries them in that order); UPnP's
// mappings stand for the IPv4 servers when there are some. A family whose
// address is not known yet has no endpoint.
std::vector<Endpoint> own_endpoints(const std::vector<ServerPort>& ports,
                                    const OwnAddresses& addresses);

}  // namespace re6st
