// The overlay's map from the nodes' tunnel reports.
#include "registry/tunnel_map.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace re6st::registry {

TunnelMap build_tunnel_map(std::vector<std::string> nodes,
                           const std::vector<StoredTunnelReport>& reports,
                           const std::optional<Network>& network, std::int64_t now)
{
    std::ranges::sort(nodes);
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    auto known = [&](const std::string& bits) { return std::ranges::binary_search(nodes, bits); };

    TunnelMap map;
    std::map<std::string, const StoredTunnelReport*> report_of;
    for (const auto& report : reports)
        if (known(report.prefix))
            report_of[report.prefix] = &report;
    auto is_fresh = [&](std::int64_t date) {
        return now - date <= tunnel_report_stale_after.count();
    };

    // By the ends' binary prefixes, the lower first: whether a fresh report
    // names the tunnel.
    std::map<std::pair<std::string, std::string>, bool> fresh_tunnels;
    for (const auto& [prefix, report] : report_of) {
        bool fresh = is_fresh(report->date);
        std::size_t at = 0;
        const auto& peers = report->peers;
        while (at < peers.size()) {
            auto end = std::min(peers.find(' ', at), peers.size());
            auto entry = std::string_view(peers).substr(at, end - at);
            at = end + 1;
            std::string peer;
            try {
                peer = bits_from_cn(entry);
            } catch (const AddressError&) {
                continue;
            }
            if (peer == prefix || !known(peer))
                continue;
            auto ends = peer < prefix ? std::pair(peer, prefix) : std::pair(prefix, peer);
            fresh_tunnels[ends] = fresh_tunnels[ends] || fresh;
        }
    }

    for (const auto& bits : nodes) {
        TunnelMap::Node node;
        node.prefix = cn_from_bits(bits);
        if (network && network->is_node_prefix(bits))
            node.address = network->node_address(bits).to_string();
        if (auto found = report_of.find(bits); found != report_of.end()) {
            node.reported = found->second->date;
            node.stale = !is_fresh(found->second->date);
        }
        map.nodes.push_back(std::move(node));
    }
    for (const auto& [ends, fresh] : fresh_tunnels)
        map.tunnels.push_back({cn_from_bits(ends.first), cn_from_bits(ends.second), !fresh});
    return map;
}

TunnelMap read_tunnel_map(sqlite::Database& db, const std::optional<Network>& network,
                          std::int64_t now)
{
    // No transaction, which would take the write lock from the running
    // registry: a node revoked between the two reads is only left out.
    std::vector<std::string> nodes;
    {
        auto select = db.prepare("SELECT prefix FROM vpn WHERE cert IS NOT NULL");
        auto rows = select.query();
        while (rows.next())
            nodes.push_back(rows.row().get<std::string>(0));
    }
    std::vector<StoredTunnelReport> reports;
    {
        auto select = db.prepare("SELECT prefix, peers, date FROM tunnel_reports");
        auto rows = select.query();
        while (rows.next()) {
            auto row = rows.row();
            reports.push_back({row.get<std::string>(0), row.get<std::string>(1),
                               row.get<std::int64_t>(2)});
        }
    }
    return build_tunnel_map(std::move(nodes), reports, network, now);
}

namespace {

const char* const stale_style = "style=dashed, color=grey, fontcolor=grey";

}  // namespace

// Prefixes and addresses hold no character that dot or JSON would need
// escaped ("0123456789/" and hex digits and colons).
std::string tunnel_map_dot(const TunnelMap& map)
{
    std::string dot = "graph re6st {\n  node [shape=box];\n";
    for (const auto& node : map.nodes) {
        dot += "  \"" + node.prefix + "\" [label=\"" + node.prefix;
        if (node.address)
            dot += "\\n" + *node.address;
        dot += "\"";
        if (node.stale)
            dot += std::string(", ") + stale_style;
        dot += "];\n";
    }
    for (const auto& tunnel : map.tunnels) {
        dot += "  \"" + tunnel.a + "\" -- \"" + tunnel.b + "\"";
        if (tunnel.stale)
            dot += std::string(" [") + stale_style + "]";
        dot += ";\n";
    }
    return dot + "}\n";
}

std::string tunnel_map_json(const TunnelMap& map)
{
    auto quoted = [](const std::string& text) { return "\"" + text + "\""; };
    auto boolean = [](bool value) { return value ? "true" : "false"; };
    std::string json = "{\"nodes\": [";
    for (std::size_t i = 0; i < map.nodes.size(); ++i) {
        const auto& node = map.nodes[i];
        json += i == 0 ? "\n" : ",\n";
        json += "  {\"prefix\": " + quoted(node.prefix)
                + ", \"address\": " + (node.address ? quoted(*node.address) : "null")
                + ", \"reported\": " + (node.reported ? std::to_string(*node.reported) : "null")
                + ", \"stale\": " + boolean(node.stale) + "}";
    }
    json += map.nodes.empty() ? "],\n\"tunnels\": [" : "\n],\n\"tunnels\": [";
    for (std::size_t i = 0; i < map.tunnels.size(); ++i) {
        const auto& tunnel = map.tunnels[i];
        json += i == 0 ? "\n" : ",\n";
        json += "  {\"a\": " + quoted(tunnel.a) + ", \"b\": " + quoted(tunnel.b)
                + ", \"stale\": " + boolean(tunnel.stale) + "}";
    }
    return json + (map.tunnels.empty() ? "]}\n" : "\n]}\n");
}

}  // namespace re6st::registry
