// Parsing babeld's dump and counting routes per interface.
#include "re6stnet/babel/babel_dump.hpp"

#include <charconv>
#include <optional>

namespace re6st {

namespace {

std::vector<std::string_view> words(std::string_view line)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < line.size()) {
        auto end = line.find(' ', start);
        if (end == line.npos)
            end = line.size();
        if (end > start)
            out.push_back(line.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// "add route ID key value key value ..." after the first three words.
std::optional<BabelRoute> parse_route(const std::vector<std::string_view>& w)
{
    BabelRoute route;
    bool have_prefix = false, have_installed = false, have_metric = false,
         have_refmetric = false, have_via = false, have_if = false;
    auto number = [](std::string_view text, unsigned& out) {
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
        return error == std::errc() && end == text.data() + text.size();
    };
    for (std::size_t i = 3; i + 1 < w.size(); i += 2) {
        auto key = w[i], value = w[i + 1];
        if (key == "prefix") {
            if (value.find(':') == value.npos)
                return std::nullopt;   // IPv4; the overlay is IPv6 only
            try {
                route.prefix = Ipv6Prefix::parse(value);
            } catch (const AddressError&) {
                return std::nullopt;
            }
            have_prefix = true;
        } else if (key == "installed") {
            if (value != "yes" && value != "no")
                return std::nullopt;
            route.installed = value == "yes";
            have_installed = true;
        } else if (key == "metric") {
            if (!number(value, route.metric))
                return std::nullopt;
            have_metric = true;
        } else if (key == "refmetric") {
            if (!number(value, route.refmetric))
                return std::nullopt;
            have_refmetric = true;
        } else if (key == "via") {
            route.via = value;
            have_via = true;
        } else if (key == "if") {
            route.interface = value;
            have_if = true;
        }
    }
    if (!(have_prefix && have_installed && have_metric && have_refmetric && have_via && have_if))
        return std::nullopt;
    return route;
}

// "add neighbour ID key value key value ..." after the first three words.
std::optional<BabelNeighbour> parse_neighbour(const std::vector<std::string_view>& w)
{
    BabelNeighbour neighbour;
    bool have_address = false, have_if = false, have_cost = false;
    for (std::size_t i = 3; i + 1 < w.size(); i += 2) {
        auto key = w[i], value = w[i + 1];
        if (key == "address") {
            neighbour.address = value;
            have_address = true;
        } else if (key == "if") {
            neighbour.interface = value;
            have_if = true;
        } else if (key == "cost") {
            auto [end, error] = std::from_chars(value.data(), value.data() + value.size(),
                                                neighbour.cost);
            if (error != std::errc() || end != value.data() + value.size())
                return std::nullopt;
            have_cost = true;
        } else if (key == "rtt") {
            double rtt = 0;
            auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), rtt);
            if (error != std::errc() || end != value.data() + value.size() || rtt < 0)
                return std::nullopt;
            neighbour.rtt_ms = rtt;
        }
    }
    if (!(have_address && have_if && have_cost))
        return std::nullopt;
    return neighbour;
}

}  // namespace

BabelDump parse_babel_dump(std::string_view text)
{
    BabelDump dump;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        auto line = text.substr(start, end == text.npos ? text.npos : end - start);
        start = end == text.npos ? text.size() : end + 1;
        auto w = words(line);
        if (w.size() < 2 || (w[0] != "add" && w[0] != "change"))
            continue;
        if (w[1] == "neighbour") {
            if (auto neighbour = parse_neighbour(w))
                dump.neighbours.push_back(std::move(*neighbour));
            else
                ++dump.malformed_lines;
            continue;
        }
        if (w[1] != "route")
            continue;
        bool ipv4 = false;
        for (std::size_t i = 3; i + 1 < w.size(); i += 2)
            if (w[i] == "prefix" && w[i + 1].find(':') == w[i + 1].npos)
                ipv4 = true;
        if (ipv4)
            continue;
        if (auto route = parse_route(w))
            dump.routes.push_back(std::move(*route));
        else
            ++dump.malformed_lines;
    }
    return dump;
}

RouteCount count_routes(const std::vector<BabelRoute>& routes, const Network& network,
                        const std::set<std::string>& lan_interfaces)
{
    RouteCount count;
    for (const auto& route : routes) {
        if (!route.installed)
            continue;
        auto bits = network.node_bits_of(route.prefix);
        if (!bits)
            continue;
        ++count.per_interface[route.interface];
        if (lan_interfaces.count(route.interface) && route.refmetric == 0)
            count.lan_prefixes.insert(*bits);
    }
    return count;
}

}  // namespace re6st
