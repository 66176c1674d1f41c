// The parts of a node's status that are computed, not copied.
#include "re6stnet/node_status.hpp"

#include <fstream>

namespace re6st {

const char* direction_name(NodeStatus::Tunnel::Direction direction)
{
    return direction == NodeStatus::Tunnel::Direction::client ? "client" : "server";
}

void add_babel_view(NodeStatus& status, const BabelDump& dump, const Network& network)
{
    NodeStatus::Babel babel;
    babel.neighbours = static_cast<unsigned>(dump.neighbours.size());
    for (const auto& route : dump.routes)
        babel.routes_installed += route.installed;
    status.babel = babel;

    auto neighbour_on = [&](const std::string& interface,
                            const std::string& address) -> const BabelNeighbour* {
        for (const auto& neighbour : dump.neighbours)
            if (neighbour.interface == interface
                && (address.empty() || neighbour.address == address))
                return &neighbour;
        return nullptr;
    };
    for (auto& tunnel : status.tunnels) {
        tunnel.routes = 0;
        // The neighbour that announces the peer's subnet as its own.
        std::string via;
        try {
            auto subnet = network.node_subnet(bits_from_cn(tunnel.peer));
            for (const auto& route : dump.routes)
                if (route.interface == tunnel.interface && route.refmetric == 0
                    && route.prefix == subnet)
                    via = route.via;
        } catch (const std::exception&) {
            // not a CN of this network: no route names it
        }
        bool client = tunnel.direction == NodeStatus::Tunnel::Direction::client;
        if (via.empty() && !client)
            continue;   // one of several clients on the tap, not heard of yet
        const auto* neighbour = neighbour_on(tunnel.interface, via);
        if (!neighbour)
            continue;
        tunnel.cost = neighbour->cost;
        tunnel.rtt_ms = neighbour->rtt_ms;
        unsigned routes = 0;
        for (const auto& route : dump.routes)
            routes += route.installed && route.interface == tunnel.interface
                      && route.via == neighbour->address
                      && network.node_bits_of(route.prefix).has_value();
        tunnel.routes = routes;
    }
}

std::optional<InterfaceBytes> read_interface_bytes(const std::string& sys_net,
                                                   const std::string& interface)
{
    auto read = [&](const char* name) -> std::optional<std::uint64_t> {
        std::ifstream file(sys_net + "/" + interface + "/statistics/" + name);
        std::uint64_t value = 0;
        if (!(file >> value))
            return std::nullopt;
        return value;
    };
    auto rx = read("rx_bytes"), tx = read("tx_bytes");
    if (!rx || !tx)
        return std::nullopt;
    return InterfaceBytes{*rx, *tx};
}

}  // namespace re6st
