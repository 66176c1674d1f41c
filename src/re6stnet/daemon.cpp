// The node daemon.
#include "re6stnet/daemon.hpp"

#include "common/certificate_serial.hpp"
#include "common/log.hpp"
#include "re6stnet/babel/babeld_command.hpp"
#include "re6stnet/babel/route_request.hpp"
#include "re6stnet/revoked_dir.hpp"
#include "re6stnet/tunnel_policy.hpp"

#include <boost/asio/post.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
// glibc 2.36 (Debian 12) declares these without C linkage for C++.
extern "C" {
#include <sys/pidfd.h>
}

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace re6st {

namespace {

using namespace std::chrono_literals;

// UPnP maps IPv4 ports only: an IPv6 server needs no translation, only a
// firewall that lets its port in.
std::vector<ServerPort> ipv4_ports(const std::vector<ServerPort>& ports)
{
    std::vector<ServerPort> ipv4;
    for (const auto& port : ports)
        if (transport_family(port.transport) == AddressFamily::ipv4)
            ipv4.push_back(port);
    return ipv4;
}

constexpr auto tick_period = 5s;         // reap and refill the client tunnels
constexpr auto stop_grace = 5s;          // SIGTERM before SIGKILL
constexpr auto decrypt_timeout = 10s;    // openssl decrypting a bootstrap peer
// Between two OpenVPN processes replaced after a renewal: the clients of a
// server, or the peer of a client tunnel, are back before the next goes.
constexpr auto rollover_spacing = 5s;
// A UDP server told to stop sends its clients RESTART at once, then waits
// 2 s before it ends (--explicit-exit-notify): a client reconnects 1 s
// after the message (OpenVPN's --connect-retry) and would find the old
// process still there, about to end. It is killed before: its replacement
// listens, on the same tap (PersistentTap), when the clients come back.
constexpr auto server_restart_grace = 500ms;
// The rollover ends this long before the old files expire, at the latest.
constexpr auto rollover_margin = 10s;
// Before a server goes, the node needs a tunnel of its own: one whose
// tunnels all come in through that server drops off the network with it,
// and its routes come back with their old sequence number, which babeld
// elsewhere refuses until it has asked for a new one, long seconds later.
// So a node with no client tunnel up opens some first, to any peer, and
// waits up to this many rollover steps for one.
constexpr int rollover_tunnel_waits = 4;
// And begins within this long of the renewal.
constexpr std::chrono::seconds longest_rollover_delay = 1h;
// A client tunnel made with the old certificate presents it again whenever
// it reconnects (its server restarted and told it so, see
// --explicit-exit-notify) or renegotiates: each is closed before the old
// certificate expires, at a random time within a window before that (a day
// at most, half the certificate's lifetime for short ones), one per
// rollover step, and its slot is filled again.
constexpr std::chrono::seconds longest_tunnel_window = 24h;
// From a client's connection to the request for its routes
// (babel/route_request.hpp): it has made its tap and started talking Babel.
constexpr auto route_request_delay = 1s;
// From a client tunnel's connection to our requests for the routes of the
// node at its other end. babeld asks when the tap comes up, but ignores a
// request that comes within a second or two of its last full update on
// that interface: a server that many nodes connect to at once (a network
// started cold) answers the first and the next ones miss its table until
// its periodic update, 4 --hello later. Ignored at the second request, it
// sent one less than 2 s before, when our tap was already up.
constexpr auto client_route_request_delay = 1s;
constexpr auto client_route_request_again = 1500ms;
// A babeld left behind has this long to end on SIGTERM.
constexpr std::chrono::milliseconds leftover_grace = 3s;
// Between two surplus tunnels closed after the network's connection-count
// went down. Our babeld moves the routes of a tunnel as soon as its drain
// begins, so the next one is chosen from a fresh count; its peer's babeld
// moves them during the drain, which the next closure need not wait for.
constexpr auto surplus_spacing = 2s;

void make_directory(const std::string& path, std::optional<mode_t> mode = {})
{
    std::error_code error;
    fs::create_directories(path, error);
    if (error)
        throw std::runtime_error("cannot create directory " + path + ": " + error.message());
    if (mode && chmod(path.c_str(), *mode) != 0)
        throw std::runtime_error("cannot set the mode of " + path);
}

// The pid in `pid_file` if that process is still a `program`.
std::optional<pid_t> live_process(const std::string& pid_file, const std::string& program)
{
    std::ifstream file(pid_file);
    pid_t pid = 0;
    if (!(file >> pid) || pid <= 1)
        return std::nullopt;
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (!std::getline(comm, name) || name != program)
        return std::nullopt;
    return pid;
}

// Each parameter set in `parameters`, "name value" as in the network's
// configuration, by name.
std::map<std::string, std::string> parameter_values(const NetworkParameters& parameters)
{
    std::map<std::string, std::string> values;
    std::istringstream lines(encode_network_config(0, parameters));
    std::string line;
    std::getline(lines, line);   // the format
    std::getline(lines, line);   // the version
    while (std::getline(lines, line)) {
        auto space = line.find(' ');
        values[line.substr(0, space)] = line.substr(space + 1);
    }
    return values;
}

// "connection-count 6 -> 2" for each parameter that differs.
std::vector<std::string> parameter_changes(const NetworkParameters& before,
                                           const NetworkParameters& after)
{
    std::vector<std::string> changes;
    auto old_values = parameter_values(before);
    for (const auto& [name, value] : parameter_values(after))
        if (old_values[name] != value)
            changes.push_back(name + " " + old_values[name] + " -> " + value);
    return changes;
}

}  // namespace

Daemon::Daemon(boost::asio::io_context& io, DaemonPlan plan, DaemonServices services)
    : io_(io), plan_(std::move(plan)), services_(std::move(services)), reaper_(io),
      processes_{io, services_.launcher, reaper_, services_.clock},
      tick_timer_(services_.clock.make_timer()),
      tunnel_refresh_timer_(services_.clock.make_timer()),
      registry_timer_(services_.clock.make_timer()),
      rollover_timer_(services_.clock.make_timer()),
      surplus_timer_(services_.clock.make_timer()),
      server_timer_(services_.clock.make_timer())
{
}

Daemon::~Daemon()
{
    close_control();
    port_mapper_.reset();
    servers_.clear();
    tunnels_.reset();
    babeld_.reset();
    if (drain_filter_)
        drain_filter_->remove();
    if (network_)
        network_->undo();
}

void Daemon::start()
{
    take_directories();
    const auto& id = plan_.identity;
    log::info("node ", cn_from_bits(id.prefix), ": address ", id.address.to_string(),
              ", subnet ", id.subnet.to_string(), ", network ", id.network.prefix().to_string());
    const auto& openvpn = plan_.tunnels.openvpn;
    renewer_ = std::make_unique<CertificateRenewer>(
        processes_, services_.registry, OpenSslTool(services_.run),
        CertificateRenewer::Files{openvpn.ca, openvpn.cert, openvpn.key}, id.certificate_dates,
        id.ca_dates, services_.wall);
    renew_expired_certificate();
    remove_leftovers();

    network_ = std::make_unique<NetworkSetup>(services_.run, plan_.addressing,
                                              services_.sysctl_dir);
    network_->apply();
    drain_filter_ = std::make_unique<DrainFilter>(services_.run);
    drain_filter_->install();

    bool moved_aside = false;
    peers_.emplace(PeerDb::open_or_rebuild(plan_.peer_db, id.prefix, &moved_aside));
    if (moved_aside)
        log::warning(plan_.peer_db, " was corrupt: moved to ", plan_.peer_db,
                     ".corrupt, starting afresh");
    // Before any child: they start with the network's last configuration.
    load_network_config();
    if (!self_revoked_.empty())
        throw std::runtime_error(self_revoked_);
    tap_sweeper_ = std::make_unique<TapSweeper>(processes_);

    management_ = std::make_unique<ManagementListener>(io_, plan_.management_socket);
    TunnelManager::TapRouting routing;
    routing.forget = [this](const std::string& tap) { forget_tap(tap); };
    routing.declare = [this](const std::string& tap) { restore_tap(tap); };
    routing.connected = [this](const std::string& tap) { ask_for_routes(tap); };
    routing.run = services_.run;
    routing.sweeper = tap_sweeper_.get();
    tunnels_ = std::make_unique<TunnelManager>(processes_, *peers_, plan_.tunnels,
                                               [this](const HookMessage& m) { on_client_hook(m); },
                                               std::move(routing));
    start_servers();
    start_babeld();
    start_refresher();

    // An IPv6 address is the host's own, with no NAT before it: it is
    // declared at once, not when a tunnel (over IPv4, maybe) reports it.
    own_.ipv6 = plan_.underlay_ipv6;
    if (!plan_.advertised.empty())
        set_endpoints(plan_.advertised);
    else
        declare_own_endpoints();
    if (plan_.advertised.empty() && plan_.upnp)
        port_mapper_ = std::make_unique<PortMapper>(
            io_, ipv4_ports(plan_.ports), PortMapper::Settings{},
            [this](std::vector<Endpoint> endpoints) {
                own_.mapped = std::move(endpoints);
                declare_own_endpoints();
            });

    renewer_->changed = [this](WallTime deadline) { credentials_changed(deadline); };
    renewer_->start();
    reporter_ = std::make_unique<TunnelReporter>(
        services_.registry, TunnelReporter::Settings{.period = *plan_.network.config_refresh});
    tick();
    schedule_tunnel_refresh();
    network_config_->start(*plan_.network.config_refresh);
    open_control();
}

// Peers refuse an expired certificate: nothing is opened before it is
// renewed, through the registry's public URL.
void Daemon::renew_expired_certificate()
{
    const auto& dates = plan_.identity.certificate_dates;
    if (services_.wall() < dates.not_after)
        return;
    const auto& cert = plan_.tunnels.openvpn.cert;
    log::warning("the certificate ", cert, " has expired: renewing it before starting");
    std::optional<std::pair<std::string, bool>> outcome;
    renewer_->renew_now([&](const std::string& error, bool refused) {
        outcome.emplace(error, refused);
    });
    while (!outcome && io_.run_one() > 0) {
    }
    if (!outcome)
        throw std::runtime_error("stopped while renewing the expired certificate " + cert);
    auto& [error, refused] = *outcome;
    if (refused)
        throw std::runtime_error("the certificate " + cert
                                 + " has expired and the registry will not renew it (" + error
                                 + "): enrol this node again with re6st-conf --force");
    if (!error.empty())
        throw std::runtime_error("the certificate " + cert
                                 + " has expired and cannot be renewed now: " + error);
}

void Daemon::credentials_changed(WallTime deadline)
{
    if (stopping_)
        return;
    rollover_before_ = services_.clock.now();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - services_.wall());
    rollover_deadline_ = rollover_before_ + left - rollover_margin;
    auto lifetime = RenewalSchedule::lifetime(renewer_->certificate_dates());
    auto window = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min<std::chrono::seconds>(longest_tunnel_window, lifetime / 2));
    tunnel_slack_ = std::chrono::milliseconds(
        std::uniform_int_distribution<std::int64_t>(0, window.count())(random_));
    auto processes = static_cast<int>(servers_.size());
    auto needed = rollover_spacing * (processes + 1 + rollover_tunnel_waits)
                  + server_restart_grace * processes + rollover_margin;
    auto room = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - services_.wall()
                                                                      - needed);
    auto longest = std::clamp<std::chrono::milliseconds>(room, 0ms, longest_rollover_delay);
    auto delay = std::chrono::milliseconds(
        std::uniform_int_distribution<std::int64_t>(0, longest.count())(random_));
    log::info("replacing the OpenVPN processes for the new certificate files in ",
              delay.count() / 1000, " s, one every ", rollover_spacing.count(), " s");
    if (delay.count() == 0)
        start_rollover();
    else
        services_.clock.wait_for(*rollover_timer_, delay, [this] { start_rollover(); });
}

void Daemon::start_rollover()
{
    rollover_servers_ = servers_.size();
    rollover_waits_ = 0;
    rollover_step();
}

void Daemon::rollover_step()
{
    if (stopping_)
        return;
    tunnels_->fill();   // the tunnel closed by the previous step reopens at once
    if (rollover_servers_ > 0) {
        if (tunnels_->connected_count() == 0 && rollover_waits_ < rollover_tunnel_waits) {
            if (rollover_waits_++ == 0)
                log::info("no client tunnel up: opening some before replacing a server");
            tunnels_->fill(TunnelManager::Incoming::include);
            services_.clock.wait_for(*rollover_timer_, rollover_spacing, [this] { rollover_step(); });
            return;
        }
        rollover_waits_ = 0;
        auto& server = *servers_[servers_.size() - rollover_servers_];
        --rollover_servers_;
        replace_server(server);
        services_.clock.wait_for(*rollover_timer_, rollover_spacing, [this] { rollover_step(); });
        return;
    }
    if (!tunnels_->started_before(rollover_before_)) {
        log::info("every OpenVPN process uses the new certificate files");
        return;
    }
    // Time for one step per slot, in case each holds such a tunnel.
    auto slots = static_cast<int>(tunnels_->interfaces().size());
    auto due = rollover_deadline_ - tunnel_slack_ - rollover_spacing * slots;
    if (services_.clock.now() >= due) {
        tunnels_->recycle_oldest(rollover_before_);
        due = services_.clock.now() + rollover_spacing;
    }
    rollover_timer_->wait_until(due, [this] { rollover_step(); });
}

// Nothing of the node is touched before both locks are held: a second
// daemon given the same directories changes nothing.
void Daemon::take_directories()
{
    make_directory(plan_.log_dir);
    make_directory(plan_.state_dir);
    // Control sockets live here: babeld's lets its user reconfigure routing.
    make_directory(plan_.run_dir, 0700);
    run_lock_.emplace(plan_.run_dir);
    state_lock_.emplace(plan_.state_dir);
}

// A daemon killed by SIGKILL leaves babeld behind only if babeld missed its
// parent-death signal, and always leaves its pid file, which would stop a
// new babeld from starting. We hold the run directory: no live daemon owns
// that babeld. A pidfd names that very process, not whatever has its pid
// once it has gone: it tells when it ends, and it is what SIGKILL goes to.
void Daemon::remove_leftovers()
{
    const auto& pid_file = plan_.babeld.pid_file;
    if (auto pid = live_process(pid_file, "babeld")) {
        UniqueFd process(pidfd_open(*pid, 0));
        // Still that babeld once pinned, not a process that took its pid.
        if (process && live_process(pid_file, "babeld") == pid) {
            log::warning("stopping babeld (pid ", *pid, ") left by a previous run");
            services_.launcher.signal(*pid, SIGTERM);
            pollfd ended{process.get(), POLLIN, 0};
            int waited;
            do
                waited = poll(&ended, 1, int(leftover_grace.count()));
            while (waited < 0 && errno == EINTR);
            if (waited == 0)   // still running: it ignored SIGTERM
                pidfd_send_signal(process.get(), SIGKILL, nullptr, 0);
        }
    }
    fs::remove(pid_file);
}

void Daemon::start_servers()
{
    for (const auto& planned : plan_.servers) {
        auto server = std::make_unique<Server>();
        auto* s = server.get();
        server->plan = planned;
        server->openvpn = std::make_unique<OpenVpnProcess>(
            io_, planned.openvpn.interface, planned.log_file,
            [this, s](const HookMessage& m) { on_server_hook(*s, m); });
        server->tap = std::make_unique<PersistentTap>(services_.run, planned.openvpn.interface,
                                                      tap_sweeper_.get());
        server->route_request = services_.clock.make_timer();
        server->process = std::make_unique<SupervisedProcess>(
            processes_, "OpenVPN server " + planned.openvpn.interface, [this, s] {
                s->tap->keep();
                return s->openvpn->prepare(
                    openvpn_server_command(plan_.tunnels.openvpn, s->plan.openvpn));
            });
        // A new process has no client yet: those of the old one, killed
        // before it reported them gone, connect again, or not.
        server->process->on_started = [this, s](pid_t) {
            for (const auto& [cn, serial] : s->clients)
                tunnels_->incoming_disconnected(bits_from_cn(cn));
            s->clients.clear();
            s->connected.clear();
        };
        // Nothing carries packets through its tap any more: babeld must see
        // it go, not miss hellos on it until the restart.
        server->process->on_died = [s] { s->tap->remove(); };
        server->process->start();
        servers_.push_back(std::move(server));
    }
}

void Daemon::start_babeld()
{
    const auto& settings = plan_.babeld;
    babel_control_ = std::make_unique<BabelControl>(io_, services_.clock, settings.control_socket);
    babeld_log_ = std::make_unique<ChildLog>(io_, plan_.babeld_log);
    babeld_ = std::make_unique<SupervisedProcess>(processes_, "babeld", [this] {
        const auto& settings = plan_.babeld;
        // Ours is not running: its pid file and socket are stale.
        fs::remove(settings.pid_file);
        fs::remove(settings.control_socket);
        PreparedProcess process;
        process.spec.argv = babeld_command(settings);
        process.child_ends.push_back(babeld_log_->attach());
        process.spec.output_fd = process.child_ends.back().get();
        process.spec.die_with_parent = true;
        return process;
    });
    babeld_->on_started = [this](pid_t) { babel_control_->reset("babeld restarted"); };
    babeld_->start();
}

void Daemon::start_refresher()
{
    // The key is read by openssl, only when a bootstrap peer comes.
    auto decrypt = [this](const std::string& ciphertext, PeerRefresher::Decrypted done) {
        auto argv = OpenSslTool(services_.run).decrypt_command(plan_.tunnels.openvpn.key);
        run_command_async(processes_, argv, ciphertext, decrypt_timeout,
                          [done](CommandResult result) {
                              if (result.status == 0)
                                  done(result.output, "");
                              else
                                  done(std::nullopt, result.output);
                          });
    };
    refresher_ = std::make_unique<PeerRefresher>(*peers_, services_.registry, decrypt,
                                                 plan_.refresher);
    refresher_->changed = [this] {
        // New peers need not wait for the next tick.
        if (!stopping_)
            fill_tunnels();
        schedule_registry();
    };
}

void Daemon::load_network_config()
{
    for (const auto& [name, value] : parameter_values(plan_.given))
        log::info("--", name, " ", value, ": overriding the network's value");
    network_config_ = std::make_unique<NetworkConfigFetcher>(
        processes_, services_.registry, OpenSslTool(services_.run),
        // A renewed CA keeps its key (CertificateRenewer): the one read at
        // start is the one that signs.
        NetworkConfigFetcher::Settings{plan_.tunnels.openvpn.ca, plan_.network_config,
                                       plan_.run_dir, plan_.identity.ca_public_key});
    // The options may not fit the network's values: a tunnel-ping given
    // that is longer than the network's tunnel-timeout.
    network_config_->judge = [this](const NetworkConfig& config) {
        try {
            check_network_parameters(merge_network_parameters(plan_.given, config.parameters));
            return std::string();
        } catch (const std::invalid_argument& error) {
            return std::string("with this node's options, ") + error.what();
        }
    };
    // Over the overlay once a tunnel is up, as declare and getPeerList.
    network_config_->private_url = [this]() -> std::optional<Url> {
        auto cached = peers_->config("registry");
        if (!tunnels_ || !tunnels_->connected() || !cached)
            return std::nullopt;
        try {
            return Url::parse(*cached);
        } catch (const UrlError&) {
            return std::nullopt;
        }
    };
    network_config_->changed = [this](const NetworkConfig& config) {
        network_config_changed(config);
    };
    // OpenVPN wants its --crl-verify directory even while nothing is revoked.
    if (!network_config_->load())
        take_revocations({});
}

void Daemon::network_config_changed(const NetworkConfig& config)
{
    if (!take_revocations(config.revoked))
        return;
    auto before = plan_.network;
    plan_network(plan_, merge_network_parameters(plan_.given, config.parameters));
    auto changes = parameter_changes(before, plan_.network);
    if (changes.empty())
        log::info("network configuration version ", config.version,
                  ": nothing changes for this node");
    for (const auto& change : changes)
        log::info("network configuration version ", config.version, ": ", change);
    if (babeld_ && !stopping_)   // running: the plan alone is not enough
        apply_network(before);
}

// The revoked serials, from what the CA signed, for every OpenVPN's next
// handshake. Returns false, and stops the daemon, when this node's own
// certificate is among them: it may no longer join the network.
bool Daemon::take_revocations(const std::vector<std::string>& revoked)
{
    const auto& dir = plan_.tunnels.openvpn.revoked_dir;
    try {
        if (auto added = sync_revoked_dir(dir, revoked))
            log::info(added, " more certificates revoked by the registry, ", revoked.size(),
                      " in all: OpenVPN refuses them");
        if (!revoked_dir_checked_) {
            revoked_dir_checked_ = true;
            if (auto hidden = hidden_from_others(dir); !hidden.empty())
                log::warning("OpenVPN, running as ", openvpn_user, ", cannot search ", hidden,
                             ": it would not refuse revoked peers (give it mode 0755)");
        }
        auto own = serial_text(OpenSslTool(services_.run).serial(plan_.tunnels.openvpn.cert));
        if (std::binary_search(revoked.begin(), revoked.end(), own)) {
            auto why = "the registry revoked this node's certificate " + plan_.tunnels.openvpn.cert
                       + " (serial " + own + "): it may no longer join the network; enrol it "
                       "again with re6st-conf if this was a mistake";
            if (babeld_)   // not from inside the fetcher that calls us, which stop() ends
                boost::asio::post(io_, [this, why] { fail(why); });
            else
                self_revoked_ = why;   // start() gives up
            return false;
        }
    } catch (const std::exception& error) {
        log::error(error.what());
    }
    if (babeld_ && !stopping_)
        drop_revoked_peers(revoked);
    return true;
}

// Tunnels up with a peer whose certificate is now revoked go at once: our
// client tunnels to it, and its tunnels to our servers, which OpenVPN's
// management interface kills (by CN: a server that has no such client
// says so, a client refuses the command).
void Daemon::drop_revoked_peers(const std::vector<std::string>& revoked)
{
    std::set<std::string> serials;
    for (const auto& serial : revoked)
        serials.insert(decimal_serial(serial));
    tunnels_->close_revoked(serials);
    std::set<std::string> killed;
    for (auto& server : servers_)
        for (const auto& [cn, serial] : server->clients) {
            if (serial.empty() || !serials.count(serial) || !killed.insert(cn).second)
                continue;
            log::warning("incoming tunnel from ", cn, ": its certificate (serial ", serial,
                         ") is revoked; closing it");
            peers_->remove(bits_from_cn(cn));
            management_->broadcast("kill " + cn);
        }
}

// What each parameter needs to take effect without stopping the daemon,
// or any tunnel that need not go.
void Daemon::apply_network(const NetworkParameters& before)
{
    const auto& after = plan_.network;
    for (std::size_t i = 0; i < servers_.size(); ++i)   // for their next start
        servers_[i]->plan = plan_.servers[i];
    auto added = tunnels_->reconfigure(plan_.tunnels);
    if (after.hello != before.hello || after.tunnel_hello != before.tunnel_hello) {
        // babeld cannot change the options of an interface it has: a new
        // one starts with them (and every tap) on its command line.
        log::info("restarting babeld for its new hello intervals");
        babeld_->replace(stop_grace);
    } else {
        for (const auto& tap : added)
            declare_tap(tap);
    }
    if (*after.max_clients > *before.max_clients)
        replace_servers();
    if (after.tunnel_refresh != before.tunnel_refresh)
        schedule_tunnel_refresh();
    if (after.config_refresh != before.config_refresh) {
        network_config_->set_period(*after.config_refresh);
        reporter_->set_period(*after.config_refresh);
    }
    if (tunnels_->surplus() > 0)
        close_surplus_tunnels();
    else
        tunnels_->fill();
}

void Daemon::declare_tap(const std::string& tap)
{
    tell_babeld(babeld_tunnel_interface(plan_.babeld, tap), "add the interface " + tap);
}

// A request to babeld whose failure is only worth a warning.
void Daemon::tell_babeld(const std::string& request, std::string action)
{
    babel_control_->request(request, [action = std::move(action)](const std::string& error,
                                                                  const std::string&) {
        if (!error.empty())
            log::warning("babeld: cannot ", action, ": ", error);
    });
}

// One at a time, those carrying the fewest routes first, counted afresh
// each time: babeld has moved the routes of the previous one.
void Daemon::close_surplus_tunnels()
{
    if (closing_surplus_ || stopping_)
        return;
    closing_surplus_ = true;
    with_route_count([this](std::optional<RouteCount> routes) {
        tunnels_->close_surplus(routes ? *routes : RouteCount());
        if (tunnels_->surplus() == 0) {
            closing_surplus_ = false;
            return;
        }
        services_.clock.wait_for(*surplus_timer_, surplus_spacing, [this] {
            closing_surplus_ = false;
            close_surplus_tunnels();
        });
    });
}

// OpenVPN reads --max-clients only when it starts. A lower limit waits for
// the next start (the clients it has stay); a higher one is needed by the
// other nodes' new client tunnels: each server is replaced in turn, a step
// apart, and its clients connect again.
void Daemon::replace_servers()
{
    servers_to_replace_ = servers_.size();
    replace_next_server();
}

void Daemon::replace_next_server()
{
    if (stopping_ || servers_to_replace_ == 0)
        return;
    auto& server = *servers_[servers_.size() - servers_to_replace_];
    replace_server(server);
    if (--servers_to_replace_ > 0)
        services_.clock.wait_for(*server_timer_, rollover_spacing, [this] { replace_next_server(); });
}

// Its tap stays, with babeld's neighbours and routes on it (PersistentTap):
// the clients, told by --explicit-exit-notify (or, over TCP, by their
// connection closing), connect again to the new process about a second
// later, and their packets flow again through the same tap.
void Daemon::replace_server(Server& server)
{
    if (!server.clients.empty())
        log::info("OpenVPN server ", server.plan.openvpn.interface, ": its ",
                  server.clients.size(), " clients will connect again to the new process");
    server.process->replace(server_restart_grace, Child::Linger::expected);
}

// Babel goes silent on a tap about to close (drain_filter.hpp): both ends
// route around it while it still carries their packets.
void Daemon::forget_tap(const std::string& tap)
{
    drain_filter_->silence(tap);
}

// The next tunnel on the tap is heard again.
void Daemon::restore_tap(const std::string& tap)
{
    drain_filter_->restore(tap);
}

void Daemon::ask_for_routes(const std::string& tap)
{
    auto& timer = client_route_requests_[tap];
    if (!timer)
        timer = services_.clock.make_timer();
    auto ask = [tap] {
        auto error = request_routes(tap);
        if (error.empty())
            log::debug("asked the node at the other end of ", tap, " for its routes");
        else
            log::debug("cannot ask for routes: ", error);   // the tunnel has gone
    };
    services_.clock.wait_for(*timer, client_route_request_delay, [this, &timer, ask] {
        ask();
        services_.clock.wait_for(*timer, client_route_request_again, ask);
    });
}

void Daemon::set_endpoints(const std::vector<Endpoint>& endpoints)
{
    refresher_->set_address(format_endpoints(endpoints), services_.clock.now());
    schedule_registry();
}

void Daemon::on_client_hook(const HookMessage& message)
{
    if (message.event != HookMessage::Event::route_up)
        return;
    log::info("a tunnel is up; our public address as its peer sees it: ", message.argument);
    refresher_->tunnel_up(services_.clock.now());
    schedule_registry();
    // Our public IP of that family as a peer saw it: without --ip, that is
    // what we advertise with our own servers of the family (UPnP's mapping
    // standing for the IPv4 ones).
    if (!plan_.advertised.empty())
        return;
    Endpoint seen;
    try {
        seen = parse_endpoint(message.argument + ",1,udp");
    } catch (const EndpointError& error) {
        log::warning("ignoring the public address a peer reported: ", error.what());
        return;
    }
    auto& learned = seen.family() == AddressFamily::ipv6 ? own_.ipv6 : own_.ipv4;
    if (learned == seen.ip)
        return;
    learned = seen.ip;
    declare_own_endpoints();
}

void Daemon::declare_own_endpoints()
{
    auto endpoints = own_endpoints(plan_.ports, own_);
    if (!endpoints.empty())
        set_endpoints(endpoints);
}

void Daemon::on_server_hook(Server& server, const HookMessage& message)
{
    auto prefix = bits_from_cn(message.argument);
    if (message.event == HookMessage::Event::client_connect) {
        log::info("incoming tunnel from ", message.argument);
        // Again, before its previous connection timed out: counted once.
        if (!server.clients.count(message.argument))
            tunnels_->incoming_connected(prefix);
        server.clients[message.argument] = message.serial;
        server.connected[message.argument] = services_.clock.now();
        // By then the client has made its tap and runs babeld on it; one
        // request answers for every client that connected meanwhile.
        services_.clock.wait_for(*server.route_request, route_request_delay, [&server] {
            auto error = request_routes(server.plan.openvpn.interface);
            if (error.empty())
                log::debug("asked the nodes on ", server.plan.openvpn.interface, " for their routes");
            else
                log::warning("cannot ask for routes: ", error);
        });
    } else if (message.event == HookMessage::Event::client_disconnect) {
        log::info("incoming tunnel from ", message.argument, " closed");
        if (server.clients.count(message.argument))
            tunnels_->incoming_disconnected(prefix);
        server.clients.erase(message.argument);
        server.connected.erase(message.argument);
    }
}

void Daemon::tick()
{
    if (stopping_)
        return;
    auto families = usable_families(services_.host(), plan_.identity.network);
    if (families != plan_.tunnels.families) {
        log::info("underlay families this host can reach changed: now ",
                  describe_families(families));
        plan_.tunnels.families = families;
        tunnels_->set_families(families);
    }
    fill_tunnels();
    schedule_registry();
    report_tunnels();
    services_.clock.wait_for(*tick_timer_, tick_period, [this] { tick(); });
}

void Daemon::fill_tunnels()
{
    if (tunnels_->fill() > 0)
        refresher_->want_peers(services_.clock.now());
    else
        refresher_->satisfied();
}

void Daemon::refresh_tunnels()
{
    if (stopping_)
        return;
    with_route_count([this](std::optional<RouteCount> routes) {
        if (routes)
            tunnels_->refresh(*routes);
        schedule_tunnel_refresh();
    });
}

void Daemon::with_route_count(std::function<void(std::optional<RouteCount>)> next)
{
    babel_control_->request("dump", [this, next](const std::string& error,
                                                 const std::string& data) {
        if (stopping_)
            return;
        if (!error.empty()) {
            log::warning("cannot count routes: ", error);
            next(std::nullopt);
            return;
        }
        auto dump = parse_babel_dump(data);
        if (dump.malformed_lines)
            log::warning("babeld dump: ", dump.malformed_lines, " lines not understood");
        next(count_routes(dump.routes, plan_.identity.network, plan_.lan_interfaces));
    });
}

void Daemon::schedule_tunnel_refresh()
{
    services_.clock.wait_for(*tunnel_refresh_timer_,
                             refresh_delay(*plan_.network.tunnel_refresh, random_),
                             [this] { refresh_tunnels(); });
}

void Daemon::schedule_registry()
{
    if (stopping_)
        return;
    auto due = refresher_->due();
    if (due == Clock::time_point::max()) {
        registry_timer_->cancel();
        return;
    }
    registry_timer_->wait_until(due, [this] {
        if (stopping_)
            return;
        refresher_->run(services_.clock.now());
        schedule_registry();
    });
}

void Daemon::reopen_logs()
{
    std::string failed;
    auto reopen = [&](auto&& action) {
        try {
            action();
        } catch (const std::exception& error) {
            failed += (failed.empty() ? "" : "; ") + std::string(error.what());
        }
    };
    reopen([&] { babeld_log_->reopen(); });
    for (auto& server : servers_)
        reopen([&] { server->openvpn->reopen_log(); });
    reopen([&] { tunnels_->reopen_logs(); });
    if (!failed.empty())
        throw SurvivableError("cannot reopen log files: " + failed);
    log::info("log files reopened");
}

void Daemon::stop(std::function<void()> done)
{
    if (stopping_)
        return;
    stopping_ = true;
    log::info("stopping");
    close_control();
    tick_timer_->cancel();
    tunnel_refresh_timer_->cancel();
    registry_timer_->cancel();
    rollover_timer_->cancel();
    for (auto& server : servers_)
        server->route_request->cancel();
    surplus_timer_->cancel();
    server_timer_->cancel();
    client_route_requests_.clear();
    renewer_.reset();
    network_config_.reset();
    if (!babeld_) {   // start() failed before babeld
        finish_stop(std::move(done));
        return;
    }
    babel_control_->reset("stopping");
    babeld_->stop(stop_grace, [this, done = std::move(done)]() mutable {
        auto remaining = std::make_shared<std::size_t>(servers_.size() + 1);
        auto one_done = [this, remaining, done = std::move(done)] {
            if (--*remaining == 0)
                finish_stop(done);
        };
        for (auto& server : servers_)
            server->process->stop(stop_grace, one_done);
        if (tunnels_)
            tunnels_->stop(stop_grace, one_done);
        else
            one_done();
    });
}

void Daemon::finish_stop(std::function<void()> done)
{
    for (auto& server : servers_)
        server->tap->remove();
    if (tap_sweeper_)
        tap_sweeper_->close();   // nothing left to sweep
    port_mapper_.reset();   // removes the mappings
    if (drain_filter_)
        drain_filter_->remove();
    drain_filter_.reset();
    if (network_)
        network_->undo();
    network_.reset();
    management_.reset();
    log::info("stopped");
    if (done)
        done();
}

void Daemon::fail(const std::string& why)
{
    exit_status_ = 1;
    if (stopping_) {
        // Failing again while stopping: stop the loop; the destructor
        // stops the children and restores the host.
        log::error(why, "; giving up stopping in order");
        io_.stop();
        return;
    }
    log::error(why, "; stopping");
    stop([this] { io_.stop(); });
}

int Daemon::run()
{
    for (;;) {
        try {
            io_.run();
            return exit_status_;
        } catch (const SurvivableError& error) {
            log::warning(error.what());
        } catch (const std::exception& error) {
            fail(error.what());
        }
        io_.restart();
    }
}

}  // namespace re6st
