// A node's status to and from JSON, with nlohmann/json.
#include "re6stnet/node_status_json.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

namespace re6st {

namespace {

using json = nlohmann::json;
using Time = NodeStatus::Time;

std::string format_time(Time time)
{
    auto seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc;
    if (!gmtime_r(&seconds, &utc))
        throw StatusFormatError("an instant out of range");
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

Time parse_time(const json& value)
{
    auto text = value.get<std::string>();
    std::tm utc{};
    auto* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &utc);
    if (!end || *end)
        throw StatusFormatError("not an instant: \"" + text + "\"");
    return std::chrono::system_clock::from_time_t(timegm(&utc));
}

template <class T>
json optional(const std::optional<T>& value)
{
    return value ? json(*value) : json(nullptr);
}

json optional_time(const std::optional<Time>& time)
{
    return time ? json(format_time(*time)) : json(nullptr);
}

template <class T>
std::optional<T> read_optional(const json& object, const char* key)
{
    const auto& value = object.at(key);
    if (value.is_null())
        return std::nullopt;
    return value.get<T>();
}

std::optional<Time> read_optional_time(const json& object, const char* key)
{
    const auto& value = object.at(key);
    if (value.is_null())
        return std::nullopt;
    return parse_time(value);
}

json tunnel_json(const NodeStatus::Tunnel& tunnel)
{
    return {
        {"direction", direction_name(tunnel.direction)},
        {"interface", tunnel.interface},
        {"peer", tunnel.peer},
        {"endpoints", tunnel.endpoints},
        {"transport", tunnel.transport},
        {"state", tunnel.state},
        {"up_since", optional_time(tunnel.up_since)},
        {"routes", optional(tunnel.routes)},
        {"cost", optional(tunnel.cost)},
        {"rtt_ms", optional(tunnel.rtt_ms)},
        {"rx_bytes", optional(tunnel.rx_bytes)},
        {"tx_bytes", optional(tunnel.tx_bytes)},
    };
}

NodeStatus::Tunnel read_tunnel(const json& object)
{
    NodeStatus::Tunnel tunnel;
    auto direction = object.at("direction").get<std::string>();
    if (direction == "client")
        tunnel.direction = NodeStatus::Tunnel::Direction::client;
    else if (direction == "server")
        tunnel.direction = NodeStatus::Tunnel::Direction::server;
    else
        throw StatusFormatError("a tunnel of direction \"" + direction + "\"");
    tunnel.interface = object.at("interface").get<std::string>();
    tunnel.peer = object.at("peer").get<std::string>();
    tunnel.endpoints = object.at("endpoints").get<std::vector<std::string>>();
    tunnel.transport = object.at("transport").get<std::string>();
    tunnel.state = object.at("state").get<std::string>();
    tunnel.up_since = read_optional_time(object, "up_since");
    tunnel.routes = read_optional<unsigned>(object, "routes");
    tunnel.cost = read_optional<unsigned>(object, "cost");
    tunnel.rtt_ms = read_optional<double>(object, "rtt_ms");
    tunnel.rx_bytes = read_optional<std::uint64_t>(object, "rx_bytes");
    tunnel.tx_bytes = read_optional<std::uint64_t>(object, "tx_bytes");
    return tunnel;
}

json server_json(const NodeStatus::Server& server)
{
    return {
        {"interface", server.interface},
        {"transport", server.transport},
        {"port", server.port},
        {"running", server.running},
        {"clients", server.clients},
        {"rx_bytes", optional(server.rx_bytes)},
        {"tx_bytes", optional(server.tx_bytes)},
    };
}

NodeStatus::Server read_server(const json& object)
{
    NodeStatus::Server server;
    server.interface = object.at("interface").get<std::string>();
    server.transport = object.at("transport").get<std::string>();
    server.port = object.at("port").get<unsigned>();
    server.running = object.at("running").get<bool>();
    server.clients = object.at("clients").get<unsigned>();
    server.rx_bytes = read_optional<std::uint64_t>(object, "rx_bytes");
    server.tx_bytes = read_optional<std::uint64_t>(object, "tx_bytes");
    return server;
}

json to_json(const NodeStatus& status)
{
    const auto& id = status.identity;
    const auto& registry = status.registry;
    json error = nullptr;
    if (registry.last_error)
        error = {{"method", registry.last_error->method},
                 {"message", registry.last_error->message},
                 {"at", format_time(registry.last_error->at)}};
    json servers = json::array(), tunnels = json::array();
    for (const auto& server : status.servers)
        servers.push_back(server_json(server));
    for (const auto& tunnel : status.tunnels)
        tunnels.push_back(tunnel_json(tunnel));
    json babel = nullptr;
    if (status.babel)
        babel = {{"neighbours", status.babel->neighbours},
                 {"routes_installed", status.babel->routes_installed}};
    const auto& counters = status.counters;
    return {
        {"version", status.version},
        {"generated", format_time(status.generated)},
        {"identity",
         {{"prefix", id.prefix},
          {"subnet", id.subnet},
          {"address", id.address},
          {"certificate_serial", id.certificate_serial},
          {"certificate_not_after", format_time(id.certificate_not_after)},
          {"ca_not_after", format_time(id.ca_not_after)}}},
        {"registry",
         {{"url", registry.url},
          {"last_refresh", optional_time(registry.last_refresh)},
          {"last_declaration", optional_time(registry.last_declaration)},
          {"last_error", error},
          {"config_version", optional(registry.config_version)}}},
        {"endpoints",
         {{"advertised", status.endpoints.advertised},
          {"upnp", status.endpoints.upnp},
          {"mapped", status.endpoints.mapped}}},
        {"servers", servers},
        {"tunnels", tunnels},
        {"babeld", babel},
        {"peers",
         {{"known", status.peers.known},
          {"unused", status.peers.unused},
          {"failed", status.peers.failed}}},
        {"counters",
         {{"tunnel_starts", counters.tunnel_starts},
          {"tunnel_failures", counters.tunnel_failures},
          {"tunnel_replacements", counters.tunnel_replacements},
          {"restarts", counters.restarts}}},
    };
}

NodeStatus from_json(const json& document)
{
    NodeStatus status;
    status.version = document.at("version").get<std::string>();
    status.generated = parse_time(document.at("generated"));
    const auto& id = document.at("identity");
    status.identity.prefix = id.at("prefix").get<std::string>();
    status.identity.subnet = id.at("subnet").get<std::string>();
    status.identity.address = id.at("address").get<std::string>();
    status.identity.certificate_serial = id.at("certificate_serial").get<std::string>();
    status.identity.certificate_not_after = parse_time(id.at("certificate_not_after"));
    status.identity.ca_not_after = parse_time(id.at("ca_not_after"));
    const auto& registry = document.at("registry");
    status.registry.url = registry.at("url").get<std::string>();
    status.registry.last_refresh = read_optional_time(registry, "last_refresh");
    status.registry.last_declaration = read_optional_time(registry, "last_declaration");
    if (const auto& error = registry.at("last_error"); !error.is_null())
        status.registry.last_error = NodeStatus::RegistryCall{
            error.at("method").get<std::string>(), error.at("message").get<std::string>(),
            parse_time(error.at("at"))};
    status.registry.config_version = read_optional<std::int64_t>(registry, "config_version");
    const auto& endpoints = document.at("endpoints");
    status.endpoints.advertised = endpoints.at("advertised").get<std::vector<std::string>>();
    status.endpoints.upnp = endpoints.at("upnp").get<bool>();
    status.endpoints.mapped = endpoints.at("mapped").get<std::vector<std::string>>();
    for (const auto& server : document.at("servers"))
        status.servers.push_back(read_server(server));
    for (const auto& tunnel : document.at("tunnels"))
        status.tunnels.push_back(read_tunnel(tunnel));
    if (const auto& babel = document.at("babeld"); !babel.is_null())
        status.babel = NodeStatus::Babel{babel.at("neighbours").get<unsigned>(),
                                         babel.at("routes_installed").get<unsigned>()};
    const auto& peers = document.at("peers");
    status.peers = {peers.at("known").get<std::uint64_t>(),
                    peers.at("unused").get<std::uint64_t>(),
                    peers.at("failed").get<std::uint64_t>()};
    const auto& counters = document.at("counters");
    status.counters.tunnel_starts = counters.at("tunnel_starts").get<std::uint64_t>();
    status.counters.tunnel_failures =
        counters.at("tunnel_failures").get<std::map<std::string, std::uint64_t>>();
    status.counters.tunnel_replacements = counters.at("tunnel_replacements").get<std::uint64_t>();
    status.counters.restarts = counters.at("restarts").get<std::map<std::string, std::uint64_t>>();
    return status;
}

}  // namespace

std::string status_json(const NodeStatus& status)
{
    // Error messages may quote bytes that are not UTF-8.
    return to_json(status).dump(-1, ' ', false, json::error_handler_t::replace);
}

NodeStatus parse_status_json(std::string_view text)
{
    try {
        return from_json(json::parse(text));
    } catch (const json::exception& error) {
        throw StatusFormatError(std::string("not a node status: ") + error.what());
    }
}

}  // namespace re6st
