// The node daemon: wires the peer cache, the registry, babeld, the OpenVPN
// servers and client tunnels, and UPnP together on one event loop (SPEC A.5).
#pragma once

#include "re6stnet/babel_control.hpp"
#include "re6stnet/child_log.hpp"
#include "re6stnet/child_reaper.hpp"
#include "re6stnet/config.hpp"
#include "re6stnet/hook_channel.hpp"
#include "re6stnet/management_listener.hpp"
#include "re6stnet/network_setup.hpp"
#include "re6stnet/node_identity.hpp"
#include "re6stnet/openssl_tool.hpp"
#include "re6stnet/peer_db.hpp"
#include "re6stnet/peer_refresher.hpp"
#include "re6stnet/port_mapper.hpp"
#include "re6stnet/process_launcher.hpp"
#include "re6stnet/registry.hpp"
#include "re6stnet/supervised_process.hpp"
#include "re6stnet/tunnel_manager.hpp"

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <random>

namespace re6st {

class Daemon {
public:
    Daemon(boost::asio::io_context& io, Config config, std::string hook_dir);
    ~Daemon();

    // Sets the host up and starts every child. Throws std::exception with a
    // one-line message on a start-up error (bad file, busy port...).
    void start();
    // Stops babeld first (so it can retract our routes over the tunnels
    // still up), then every OpenVPN process, removes the UPnP mappings and
    // what start() added to the host; `done` when all of it is over.
    void stop(std::function<void()> done);
    // SIGHUP / SIGUSR1: logrotate moved the log files.
    void reopen_logs();

private:
    struct Server {
        ServerPort port;
        std::string interface;
        std::unique_ptr<ChildLog> log;
        std::unique_ptr<HookChannel> hooks;
        std::unique_ptr<SupervisedProcess> process;
    };

    void prepare_directories();
    void remove_leftovers();
    void start_babeld();
    void start_servers();
    void start_registry();
    void on_client_hook(const HookMessage& message);
    void on_server_hook(const HookMessage& message);
    void tick();
    void schedule_tunnel_refresh();
    void refresh_tunnels();
    void schedule_registry();
    void set_endpoints(const std::vector<Endpoint>& endpoints);
    void finish_stop(std::function<void()> done);

    boost::asio::io_context& io_;
    Config config_;
    std::string hook_dir_;
    PosixProcessLauncher launcher_;
    ChildReaper reaper_;
    OpenSslTool openssl_;
    std::optional<NodeIdentity> identity_;
    std::unique_ptr<NetworkSetup> network_;
    std::optional<PeerDb> peers_;
    std::unique_ptr<ManagementListener> management_;
    OpenVpnSettings openvpn_;
    std::vector<std::unique_ptr<Server>> servers_;
    std::unique_ptr<TunnelManager> tunnels_;
    std::unique_ptr<ChildLog> babeld_log_;
    std::unique_ptr<SupervisedProcess> babeld_;
    std::unique_ptr<BabelControl> babel_control_;
    std::unique_ptr<XmlRpcRegistry> registry_;
    std::unique_ptr<PeerRefresher> refresher_;
    std::unique_ptr<PortMapper> port_mapper_;
    boost::asio::steady_timer tick_timer_;
    boost::asio::steady_timer tunnel_refresh_timer_;
    boost::asio::steady_timer registry_timer_;
    bool mapped_endpoints_ = false;   // UPnP gave us endpoints
    bool stopping_ = false;
    std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace re6st
