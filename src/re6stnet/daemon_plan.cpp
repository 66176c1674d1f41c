// Deciding what the daemon runs.
#include "re6stnet/daemon_plan.hpp"

#include "re6stnet/control_socket.hpp"

namespace re6st {

namespace {

Url registry_url(const std::string& text)
{
    try {
        return Url::parse(text);
    } catch (const UrlError& error) {
        throw UsageError(std::string("option '--registry': ") + error.what());
    }
}

OpenVpnSettings openvpn_settings(const Config& config, const std::string& hook_dir,
                                 const std::string& management_socket)
{
    OpenVpnSettings openvpn;
    openvpn.ca = config.ca;
    openvpn.cert = config.cert;
    openvpn.key = config.key;
    openvpn.hook_dir = hook_dir;
    openvpn.management_socket = management_socket;
    openvpn.revoked_dir = config.state_dir + "/revoked";
    openvpn.verbosity = config.verbose;
    openvpn.extra_args = config.openvpn_args;
    return openvpn;
}

}  // namespace

DaemonPlan plan_daemon(const Config& config, const NodeIdentity& id, const std::string& hook_dir,
                       const HostNetwork& host)
{
    DaemonPlan plan;
    plan.identity = id;
    plan.registry = registry_url(config.registry);
    plan.log_dir = config.log_dir;
    plan.state_dir = config.state_dir;
    plan.run_dir = config.run_dir;
    plan.peer_db = config.state_dir + "/peers.db";
    plan.management_socket = config.run_dir + "/openvpn.sock";
    plan.control_socket = control_socket_path(config.run_dir);
    plan.metrics = config.metrics;
    plan.addressing = {config.main_interface, id.address, id.subnet, id.network.prefix()};
    auto openvpn = openvpn_settings(config, hook_dir, plan.management_socket);

    plan.ports = config.pp.empty() ? default_servers(has_underlay_ipv6(host, id.network))
                                   : config.pp;
    for (const auto& port : plan.ports) {
        auto interface = server_interface(port.transport, port.port);
        // "udp1194", "6udp1194": one log per server, as its interface.
        auto name = interface.substr(interface.find('-') + 1);
        plan.servers.push_back({{interface, port.port, port.transport, 0, config.dh},
                                config.log_dir + "/re6stnet-server-" + name + ".log"});
    }

    plan.tunnels.openvpn = openvpn;
    plan.tunnels.families = usable_families(host, id.network);
    plan.tunnels.log_dir = config.log_dir;

    auto& babeld = plan.babeld;
    babeld.network = id.network;
    babeld.subnet = id.subnet;
    babeld.address = id.address;
    babeld.wireless = config.wireless;
    babeld.verbosity = config.verbose;
    babeld.state_file = config.state_dir + "/babeld.state";
    babeld.pid_file = config.run_dir + "/babeld.pid";
    babeld.control_socket = config.run_dir + "/babeld.sock";
    // Every tap, server and client, is known to babeld from the start.
    for (const auto& server : plan.servers)
        babeld.tunnels.push_back(server.openvpn.interface);
    babeld.lan_interfaces = config.lan_interfaces;
    plan.babeld_log = config.log_dir + "/re6stnet-babeld.log";

    plan.refresher.interval = config.peers_db_refresh;
    plan.refresher.network = id.network;
    plan.advertised = config.ip;
    if (auto ipv6 = underlay_ipv6_address(host, id.network); ipv6 && config.ip.empty())
        plan.underlay_ipv6 = ipv6->to_string();
    plan.upnp = config.ip.empty() && config.upnp;
    plan.lan_interfaces.insert(config.lan_interfaces.begin(), config.lan_interfaces.end());
    plan.given = config.given;
    plan.network_config = config.state_dir + "/network.conf";
    plan_network(plan, merge_network_parameters(config.given, {}));
    return plan;
}

void plan_network(DaemonPlan& plan, const NetworkParameters& effective)
{
    plan.network = effective;
    for (auto& server : plan.servers)
        server.openvpn.max_clients = *effective.max_clients;
    auto& tunnels = plan.tunnels;
    tunnels.slots = (*effective.connection_count + 1) / 2;   // the other half come in
    tunnels.refresh_count = *effective.refresh_count;
    tunnels.openvpn.ping = *effective.tunnel_ping;
    tunnels.openvpn.timeout = *effective.tunnel_timeout;
    tunnels.openvpn.tcp_timeout = *effective.tunnel_tcp_timeout;
    tunnels.drain = drain_time(*effective.tunnel_hello);
    auto& babeld = plan.babeld;
    babeld.hello = *effective.hello;
    babeld.tunnel_hello = *effective.tunnel_hello;
    // The servers' taps come first, then one per client slot.
    for (auto slot = babeld.tunnels.size() - plan.servers.size(); slot < tunnels.slots; ++slot)
        babeld.tunnels.push_back(client_interface(slot));
}

}  // namespace re6st
