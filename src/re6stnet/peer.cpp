// Parsing peers.
#include "re6stnet/peer.hpp"

namespace re6st {

Peer parse_peer(std::string_view prefix, std::string_view address, const Network& network)
{
    if (!network.is_node_prefix(prefix))
        throw PeerError("bad prefix \"" + std::string(prefix) + "\"");
    try {
        return Peer{std::string(prefix), parse_endpoints(address)};
    } catch (const EndpointError& error) {
        throw PeerError(error.what());
    }
}

Peer parse_bootstrap_peer(std::string_view text, const Network& network)
{
    auto space = text.find(' ');
    if (space == text.npos)
        throw PeerError("not \"<prefix> <address>\"");
    return parse_peer(text.substr(0, space), text.substr(space + 1), network);
}

}  // namespace re6st
