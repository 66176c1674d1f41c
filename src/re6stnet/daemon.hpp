// The node daemon: runs what its plan says (daemon_plan.hpp) on one event
// loop: the peer cache, the registry refresher, babeld, the OpenVPN servers
// and client tunnels, and UPnP; and follows the network's configuration,
// applying each change to what runs. It acts on the host only through the
// services it is given, so a test drives it with a recording launcher, a
// fake clock and a fake registry.
#pragma once

#include "common/metrics_server.hpp"
#include "re6stnet/babel/babel_control.hpp"
#include "re6stnet/babel/drain_filter.hpp"
#include "re6stnet/certificate_renewer.hpp"
#include "re6stnet/control_socket.hpp"
#include "re6stnet/daemon_plan.hpp"
#include "re6stnet/host_network.hpp"
#include "re6stnet/instance_lock.hpp"
#include "re6stnet/network_config_fetcher.hpp"
#include "re6stnet/network_setup.hpp"
#include "re6stnet/node_metrics.hpp"
#include "re6stnet/node_status.hpp"
#include "re6stnet/openssl_tool.hpp"
#include "re6stnet/own_endpoints.hpp"
#include "re6stnet/openvpn/management_listener.hpp"
#include "re6stnet/openvpn/openvpn_process.hpp"
#include "re6stnet/openvpn/persistent_tap.hpp"
#include "re6stnet/peer_db.hpp"
#include "re6stnet/peer_refresher.hpp"
#include "re6stnet/process/child_log.hpp"
#include "re6stnet/process/command.hpp"
#include "re6stnet/process/process_context.hpp"
#include "re6stnet/process/supervised_process.hpp"
#include "re6stnet/registry_calls.hpp"
#include "re6stnet/registry_client.hpp"
#include "re6stnet/tunnel_manager.hpp"
#include "re6stnet/tunnel_reporter.hpp"
#include "re6stnet/upnp/port_mapper.hpp"

#include <map>
#include <memory>
#include <optional>
#include <random>

namespace re6st {

// What the daemon acts on the host through.
struct DaemonServices {
    ProcessLauncher& launcher;
    CommandRunner run;                  // ip, at start and stop
    Clock& clock;
    Registry& registry;
    std::string sysctl_dir = "/proc/sys";
    // The time certificates are judged by.
    CertificateRenewer::WallClock wall = std::chrono::system_clock::now;
    // The host's addresses and routes: which endpoint families a tunnel
    // may try, read again at each tick (a route may come or go).
    std::function<HostNetwork()> host = read_host_network;
    // How the calls to `registry` ended, when it records them: for the
    // status and the metrics.
    RegistryCalls* registry_calls = nullptr;
    std::string sys_net_dir = "/sys/class/net";   // each tap's byte counters
};

// A failure the daemon survives: logged, and the daemon goes on (a log
// file it cannot reopen is no reason to stop routing). Anything else thrown
// from the loop stops the daemon cleanly with exit status 1.
class SurvivableError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Daemon {
public:
    Daemon(boost::asio::io_context& io, DaemonPlan plan, DaemonServices services);
    // After a failed start or an unfinished stop: children get SIGTERM from
    // their owners, the host is restored.
    ~Daemon();

    // Takes the node's directories (AlreadyRunning if another daemon holds
    // them, before anything is touched), renews an expired certificate
    // (running the loop until the registry has answered), sets the host up
    // and starts every child. Throws std::exception with a one-line message
    // on a start-up error (bad file, busy port, a certificate the registry
    // will not renew...).
    void start();

    // Runs the loop until the daemon has stopped; returns the exit status:
    // 0 after stop(), 1 after a failure that stopped it. The one place that
    // decides what an exception thrown from the loop means.
    int run();

    // Stops babeld first (so it can retract our routes over the tunnels
    // still up), then every OpenVPN process, removes the UPnP mappings and
    // what start() added to the host; `done` when all of it is over.
    void stop(std::function<void()> done);
    // The certificate or CA file was replaced; the old one expires at
    // `deadline`, and the OpenVPN processes started before still hold it.
    // Replaces the servers one at a time, a step apart, after a random
    // delay that leaves them time before the deadline: nodes renewed in
    // the same minute (enrolled together) do not all restart their
    // servers, which hold every tunnel's other end, at once. Then closes
    // the client tunnels started before, oldest first, each before it
    // could renegotiate with the expired certificate, as late as a random
    // window allows (their slots are filled again at once).
    void credentials_changed(WallTime deadline);

    // SIGHUP / SIGUSR1: logrotate moved the log files. Throws
    // SurvivableError naming the files it could not reopen.
    void reopen_logs();

    // The node's status, from the loop: at once from the daemon's own
    // state, with babeld's part once its dump is in, or without it after a
    // short wait (daemon_status.cpp).
    void status(std::function<void(NodeStatus)> done);
    // Where --metrics listens once started (its port when given 0).
    std::optional<boost::asio::ip::tcp::endpoint> metrics_endpoint() const;

private:
    struct Server {
        DaemonPlan::Server plan;
        std::unique_ptr<OpenVpnProcess> openvpn;
        std::unique_ptr<SupervisedProcess> process;
        std::unique_ptr<PersistentTap> tap;         // outlives the process
        std::unique_ptr<Timer> route_request;   // after a client connects
        std::map<std::string, std::string> clients;   // CN -> certificate serial
        std::map<std::string, Clock::time_point> connected;   // CN -> when, for the status
    };

    void take_directories();
    void renew_expired_certificate();
    void start_rollover();
    void rollover_step();
    void remove_leftovers();
    void start_servers();
    void start_babeld();
    void start_refresher();
    void load_network_config();
    void network_config_changed(const NetworkConfig& config);
    bool take_revocations(const std::vector<std::string>& revoked);
    void drop_revoked_peers(const std::vector<std::string>& revoked);
    void apply_network(const NetworkParameters& before);
    // Counts, from babeld's dump, the routes through each tunnel; none when
    // babeld did not answer.
    void with_route_count(std::function<void(std::optional<RouteCount>)> next);
    void close_surplus_tunnels();
    void declare_tap(const std::string& tap);   // to babeld, with its options
    void replace_servers();
    void replace_next_server();
    void replace_server(Server& server);
    void forget_tap(const std::string& tap);
    void restore_tap(const std::string& tap);
    void ask_for_routes(const std::string& tap);
    void fill_tunnels();
    void tell_babeld(const std::string& request, std::string action);
    void on_client_hook(const HookMessage& message);
    void on_server_hook(Server& server, const HookMessage& message);
    void tick();
    void schedule_tunnel_refresh();
    void refresh_tunnels();
    void schedule_registry();
    // Reports our tunnels' peers to the registry when due (daemon_tunnel_report.cpp).
    void report_tunnels();
    std::set<std::string> tunnel_peers() const;   // CNs: client tunnels up, clients connected
    void set_endpoints(const std::vector<Endpoint>& endpoints);
    void declare_own_endpoints();
    void finish_stop(std::function<void()> done);
    void fail(const std::string& why);
    // The control socket and the metrics endpoint, on this loop
    // (daemon_status.cpp).
    void open_control();
    void close_control();
    NodeStatus status_now();

    boost::asio::io_context& io_;
    DaemonPlan plan_;
    DaemonServices services_;
    ChildReaper reaper_;
    ProcessContext processes_;
    std::optional<InstanceLock> run_lock_, state_lock_;
    std::unique_ptr<NetworkSetup> network_;
    std::unique_ptr<DrainFilter> drain_filter_;
    std::unique_ptr<TapSweeper> tap_sweeper_;   // before the taps it sweeps
    std::optional<PeerDb> peers_;
    std::unique_ptr<ManagementListener> management_;
    std::vector<std::unique_ptr<Server>> servers_;
    std::unique_ptr<TunnelManager> tunnels_;
    std::unique_ptr<ChildLog> babeld_log_;
    std::unique_ptr<SupervisedProcess> babeld_;
    std::unique_ptr<BabelControl> babel_control_;
    std::unique_ptr<PeerRefresher> refresher_;
    std::unique_ptr<TunnelReporter> reporter_;
    std::unique_ptr<PortMapper> port_mapper_;
    std::unique_ptr<CertificateRenewer> renewer_;
    std::unique_ptr<NetworkConfigFetcher> network_config_;
    std::unique_ptr<Timer> tick_timer_, tunnel_refresh_timer_, registry_timer_, rollover_timer_;
    std::unique_ptr<Timer> surplus_timer_, server_timer_;   // network configuration changes
    std::map<std::string, std::unique_ptr<Timer>> client_route_requests_;   // by tap
    Clock::time_point rollover_before_;    // processes started before hold old files
    Clock::time_point rollover_deadline_;  // when the old files expire, less a margin
    std::chrono::milliseconds tunnel_slack_{0};   // how early before its due a tunnel goes
    std::size_t rollover_servers_ = 0;     // servers still to replace
    int rollover_waits_ = 0;               // steps spent waiting for a client tunnel
    std::size_t servers_to_replace_ = 0;   // for a higher max-clients
    bool closing_surplus_ = false;
    OwnAddresses own_;   // what we know of our public addresses, without --ip
    bool stopping_ = false;
    int exit_status_ = 0;
    std::string self_revoked_;   // why this node may not join, found at start
    bool revoked_dir_checked_ = false;
    std::mt19937_64 random_{std::random_device{}()};
    std::string own_serial_;                 // of our certificate, for the status
    unsigned own_serial_renewals_ = ~0u;     // the renewals it was read after
    // Last: gone first, before what their requests read.
    std::unique_ptr<NodeMetrics> metrics_;
    std::shared_ptr<metrics::MetricsServer> metrics_server_;
    std::unique_ptr<ControlServer> control_;
};

}  // namespace re6st
