// Parsing of reportTunnels' argument.
#include "registry/tunnel_report.hpp"

#include <algorithm>

namespace re6st::registry {

std::vector<std::string> parse_tunnel_report(std::string_view peers, const Network& network,
                                             std::string_view own_bits)
{
    if (peers.size() > max_tunnel_report_bytes)
        throw TunnelReportError("the report is " + std::to_string(peers.size())
                                + " bytes long, over " + std::to_string(max_tunnel_report_bytes));
    std::vector<std::string> bits;
    std::size_t at = 0;
    while (at < peers.size()) {
        if (peers[at] == ' ') {
            ++at;
            continue;
        }
        auto end = std::min(peers.find(' ', at), peers.size());
        auto entry = peers.substr(at, end - at);
        at = end;
        if (bits.size() == max_tunnel_report_entries)
            throw TunnelReportError("the report names more than "
                                    + std::to_string(max_tunnel_report_entries) + " peers");
        std::string prefix;
        try {
            prefix = bits_from_cn(entry);
        } catch (const AddressError& error) {
            throw TunnelReportError("\"" + std::string(entry) + "\": " + error.what());
        }
        if (!network.is_node_prefix(prefix))
            throw TunnelReportError("\"" + std::string(entry) + "\" is no node prefix of "
                                    + network.prefix().to_string());
        if (prefix == own_bits)
            throw TunnelReportError("\"" + std::string(entry) + "\" is the caller itself");
        bits.push_back(std::move(prefix));
    }
    std::ranges::sort(bits);
    bits.erase(std::unique(bits.begin(), bits.end()), bits.end());
    return bits;
}

std::string format_tunnel_report(const std::vector<std::string>& bits)
{
    std::string text;
    for (const auto& prefix : bits) {
        if (!text.empty())
            text += ' ';
        text += cn_from_bits(prefix);
    }
    return text;
}

}  // namespace re6st::registry
