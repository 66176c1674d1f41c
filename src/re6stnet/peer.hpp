// A peer as the daemon knows it: a node prefix of this network and the
// endpoints its OpenVPN servers listen on. Parsed once, where it enters the
// daemon (the registry's peer list, the bootstrap peer); the rest of the
// daemon only handles parsed peers.
#pragma once

#include "common/endpoint.hpp"
#include "common/prefix.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace re6st {

struct Peer {
    std::string prefix;                // binary node prefix
    std::vector<Endpoint> endpoints;   // empty: it accepts no tunnel

    // The endpoint list as it is advertised and stored, "ip,port,proto;...".
    std::string address() const { return format_endpoints(endpoints); }
    bool operator==(const Peer&) const = default;
};

// The message quotes what is wrong.
class PeerError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// A peer from its prefix and endpoint list as the registry sends them;
// throws PeerError unless the prefix is a node prefix of `network` and the
// endpoint list parses.
Peer parse_peer(std::string_view prefix, std::string_view address, const Network& network);

// The bootstrap peer as the registry encrypts it: "<prefix> <address>".
Peer parse_bootstrap_peer(std::string_view text, const Network& network);

}  // namespace re6st
