// A node's status as aligned text.
#include "re6stnet/node_status_text.hpp"

#include "common/utc_time.hpp"

#include <algorithm>
#include <cstdio>

namespace re6st {

namespace {

using Time = NodeStatus::Time;
using Row = std::vector<std::string>;

// "45s", "5m10s", "2h05m", "3d04h".
std::string span(std::chrono::seconds length)
{
    auto s = length.count();
    char text[32];
    if (s < 60)
        std::snprintf(text, sizeof text, "%llds", static_cast<long long>(s));
    else if (s < 3600)
        std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    else if (s < 86400)
        std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(s / 3600),
                      static_cast<long long>(s % 3600 / 60));
    else
        std::snprintf(text, sizeof text, "%lldd%02lldh", static_cast<long long>(s / 86400),
                      static_cast<long long>(s % 86400 / 3600));
    return text;
}

std::chrono::seconds between(Time from, Time to)
{
    return std::chrono::duration_cast<std::chrono::seconds>(to - from);
}

// "2026-12-07 06:53:55 UTC (5m00s ago)"
std::string past(const std::optional<Time>& time, Time now)
{
    if (!time)
        return "never";
    auto ago = between(*time, now);
    return utc_time(std::chrono::system_clock::to_time_t(*time)) + " ("
           + (ago.count() < 0 ? "in the future" : span(ago) + " ago") + ")";
}

// "2027-12-07 06:58:55 UTC (in 365d00h)", or "(EXPIRED 2d00h ago)"
std::string expiry(Time time, Time now)
{
    auto left = between(now, time);
    return utc_time(std::chrono::system_clock::to_time_t(time)) + " ("
           + (left.count() > 0 ? "in " + span(left) : "EXPIRED " + span(-left) + " ago") + ")";
}

// "1.5 MiB"
std::string bytes(const std::optional<std::uint64_t>& count)
{
    if (!count)
        return "-";
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = double(*count);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    if (unit == 0)
        std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(*count));
    else
        std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

template <class T>
std::string number(const std::optional<T>& value)
{
    return value ? std::to_string(*value) : "-";
}

std::string milliseconds(const std::optional<double>& value)
{
    if (!value)
        return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f ms", *value);
    return text;
}

std::string joined(const std::vector<std::string>& items, const char* separator)
{
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : separator) + item;
    return text;
}

// Columns two spaces apart, each as wide as its widest cell; the last one
// unpadded.
void table(std::string& out, const std::vector<Row>& rows)
{
    std::vector<std::size_t> width;
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) {
            width.resize(std::max(width.size(), row.size()));
            width[i] = std::max(width[i], row[i].size());
        }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size())
                line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        out += line + "\n";
    }
}

std::string tunnel_endpoint(const NodeStatus::Tunnel& tunnel)
{
    if (tunnel.endpoints.empty())
        return "-";
    auto text = tunnel.endpoints.front() + " " + tunnel.transport;
    if (tunnel.endpoints.size() > 1)   // OpenVPN tries them in turn
        text += " (+" + std::to_string(tunnel.endpoints.size() - 1) + ")";
    return text;
}

}  // namespace

std::string status_text(const NodeStatus& status, Time now)
{
    const auto& id = status.identity;
    const auto& registry = status.registry;
    std::vector<Row> about;
    about.push_back({"node", id.prefix + ", address " + id.address + ", subnet " + id.subnet
                                 + " (re6stnet " + status.version + ")"});
    about.push_back({"certificate", "serial " + id.certificate_serial + ", expires "
                                        + expiry(id.certificate_not_after, now)});
    about.push_back({"CA", "expires " + expiry(id.ca_not_after, now)});
    about.push_back({"registry", registry.url});
    about.push_back({"  peer list", past(registry.last_refresh, now)});
    about.push_back({"  declared", past(registry.last_declaration, now)});
    if (registry.last_error)
        about.push_back({"  last error", registry.last_error->method + ", "
                                             + past(registry.last_error->at, now) + ": "
                                             + registry.last_error->message});
    else
        about.push_back({"  last error", "none"});
    about.push_back({"  configuration", registry.config_version
                                            ? "version " + std::to_string(*registry.config_version)
                                            : "none yet"});
    const auto& endpoints = status.endpoints;
    about.push_back({"endpoints", endpoints.advertised.empty()
                                      ? "none yet"
                                      : joined(endpoints.advertised, "; ")});
    about.push_back({"UPnP", !endpoints.upnp             ? "off"
                             : endpoints.mapped.empty() ? "no mapping"
                                                        : joined(endpoints.mapped, "; ")});
    about.push_back(
        {"babeld", status.babel ? std::to_string(status.babel->neighbours) + " neighbours, "
                                      + std::to_string(status.babel->routes_installed)
                                      + " routes installed"
                                : "did not answer"});
    about.push_back({"peer cache", std::to_string(status.peers.known) + " known, "
                                       + std::to_string(status.peers.unused) + " unused, "
                                       + std::to_string(status.peers.failed) + " failed"});
    std::string out;
    table(out, about);

    out += "\n";
    if (status.servers.empty())
        out += "no server\n";
    std::vector<Row> servers{{"SERVER", "TRANSPORT", "PORT", "RUNNING", "CLIENTS", "IN", "OUT"}};
    for (const auto& server : status.servers)
        servers.push_back({server.interface, server.transport, std::to_string(server.port),
                           server.running ? "yes" : "no", std::to_string(server.clients),
                           bytes(server.rx_bytes), bytes(server.tx_bytes)});
    if (!status.servers.empty())
        table(out, servers);

    out += "\n";
    if (status.tunnels.empty()) {
        out += "no tunnel\n";
        return out;
    }
    std::vector<Row> tunnels{{"TUNNEL", "INTERFACE", "PEER", "ENDPOINT", "STATE", "UP",
                              "ROUTES", "COST", "RTT", "IN", "OUT"}};
    for (const auto& tunnel : status.tunnels)
        tunnels.push_back({direction_name(tunnel.direction), tunnel.interface, tunnel.peer,
                           tunnel_endpoint(tunnel), tunnel.state,
                           tunnel.up_since ? span(between(*tunnel.up_since, now)) : "-",
                           number(tunnel.routes), number(tunnel.cost),
                           milliseconds(tunnel.rtt_ms), bytes(tunnel.rx_bytes),
                           bytes(tunnel.tx_bytes)});
    table(out, tunnels);
    return out;
}

}  // namespace re6st
