// The node daemon.
#include "re6stnet/daemon.hpp"

#include "common/log.hpp"
#include "re6stnet/babeld_command.hpp"
#include "re6stnet/async_command.hpp"
#include "re6stnet/openvpn_command.hpp"
#include "re6stnet/tunnel_policy.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;

namespace re6st {

namespace {

using namespace std::chrono_literals;

constexpr auto tick_period = 5s;          // reap and refill client tunnels (SPEC A.5)
constexpr auto stop_grace = 5s;           // SIGTERM before SIGKILL
constexpr auto registry_timeout = 20s;

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

}  // namespace

Daemon::Daemon(boost::asio::io_context& io, Config config, std::string hook_dir)
    : io_(io), config_(std::move(config)), hook_dir_(std::move(hook_dir)), reaper_(io),
      openssl_(run_command),
      tick_timer_(io), tunnel_refresh_timer_(io), registry_timer_(io)
{
}

Daemon::~Daemon()
{
    // After a failed start or an unfinished stop: children get SIGTERM from
    // their owners, the host is restored.
    port_mapper_.reset();
    servers_.clear();
    tunnels_.reset();
    babeld_.reset();
    if (network_)
        network_->undo();
}

void Daemon::start()
{
    identity_ = NodeIdentity::load(openssl_, config_.ca, config_.cert, config_.key);
    const auto& id = *identity_;
    log::info("node ", cn_from_bits(id.prefix), ": address ", id.address.to_string(),
              ", subnet ", id.subnet.to_string(), ", network ", id.network.prefix().to_string());
    Url registry_url;
    try {
        registry_url = Url::parse(config_.registry);
    } catch (const UrlError& error) {
        throw std::runtime_error(std::string("option '--registry': ") + error.what());
    }

    prepare_directories();
    remove_leftovers();

    network_ = std::make_unique<NetworkSetup>(
        run_command,
        NodeAddressing{config_.main_interface, id.address, id.subnet, id.network.prefix()});
    network_->apply();

    bool moved_aside = false;
    auto db_path = config_.state_dir + "/peers.db";
    peers_.emplace(PeerDb::open_or_rebuild(db_path, id.prefix, &moved_aside));
    if (moved_aside)
        log::warning(db_path, " was corrupt: moved to ", db_path, ".corrupt, starting afresh");

    management_ = std::make_unique<ManagementListener>(io_, config_.run_dir + "/openvpn.sock");
    openvpn_.ca = config_.ca;
    openvpn_.cert = config_.cert;
    openvpn_.key = config_.key;
    openvpn_.hook_dir = hook_dir_;
    openvpn_.management_socket = management_->path();
    openvpn_.ping = config_.tunnel_ping;
    openvpn_.timeout = config_.tunnel_timeout;
    openvpn_.tcp_timeout = config_.tunnel_tcp_timeout;
    openvpn_.verbosity = config_.verbose;
    openvpn_.extra_args = config_.openvpn_args;

    TunnelManager::Settings tunnels;
    tunnels.slots = config_.client_count();
    tunnels.refresh_count = config_.refresh_count;
    tunnels.openvpn = openvpn_;
    tunnels.log_dir = config_.log_dir;
    tunnels.network = id.network;
    tunnels.lan_interfaces.insert(config_.lan_interfaces.begin(), config_.lan_interfaces.end());
    tunnels_ = std::make_unique<TunnelManager>(io_, launcher_, reaper_, *peers_, tunnels,
                                               [this](const HookMessage& m) { on_client_hook(m); });

    start_servers();
    start_babeld();
    start_registry();

    if (!config_.ip.empty())
        set_endpoints(config_.ip);
    else if (config_.upnp)
        port_mapper_ = std::make_unique<PortMapper>(
            io_, config_.pp, PortMapper::Settings{},
            [this](std::vector<Endpoint> endpoints) {
                mapped_endpoints_ = !endpoints.empty();
                if (mapped_endpoints_)
                    set_endpoints(endpoints);
            });

    tick();
    schedule_tunnel_refresh();
}

void Daemon::prepare_directories()
{
    make_directory(config_.log_dir);
    make_directory(config_.state_dir);
    // Control sockets live here: babeld's lets its user reconfigure routing.
    make_directory(config_.run_dir, 0700);
}

// A daemon killed by SIGKILL leaves babeld behind only if babeld missed its
// parent-death signal, and always leaves its pid file, which would stop a
// new babeld from starting.
void Daemon::remove_leftovers()
{
    auto pid_file = config_.run_dir + "/babeld.pid";
    if (auto pid = live_process(pid_file, "babeld")) {
        log::warning("stopping babeld (pid ", *pid, ") left by a previous run");
        kill(*pid, SIGTERM);
        for (int i = 0; i < 30 && kill(*pid, 0) == 0; ++i)
            std::this_thread::sleep_for(100ms);
        kill(*pid, SIGKILL);
    }
    fs::remove(pid_file);
}

void Daemon::start_servers()
{
    for (const auto& port : config_.pp) {
        auto server = std::make_unique<Server>();
        server->port = port;
        server->interface = server_interface(port.proto, port.port);
        server->log = std::make_unique<ChildLog>(
            io_, config_.log_dir + "/re6stnet-server-" + port.proto + std::to_string(port.port)
                     + ".log");
        auto* s = server.get();
        server->process = std::make_unique<SupervisedProcess>(
            io_, launcher_, reaper_, "OpenVPN server " + server->interface, [this, s] {
                PreparedProcess process;
                s->hooks = std::make_unique<HookChannel>(
                    io_, s->interface, [this](const HookMessage& m) { on_server_hook(m); });
                process.spec.argv = openvpn_server_command(
                    openvpn_, {s->interface, s->port.port, s->port.proto,
                               config_.max_clients, config_.dh});
                process.child_ends.push_back(s->log->attach());
                process.spec.output_fd = process.child_ends.back().get();
                process.child_ends.push_back(s->hooks->take_child_end());
                process.spec.extra_fds = {process.child_ends.back().get()};
                return process;
            });
        server->process->start();
        servers_.push_back(std::move(server));
    }
}

void Daemon::start_babeld()
{
    const auto& id = *identity_;
    BabeldSettings settings;
    settings.network = id.network;
    settings.subnet = id.subnet;
    settings.address = id.address;
    settings.hello = config_.hello;
    settings.tunnel_hello = config_.tunnel_hello;
    settings.wireless = config_.wireless;
    settings.verbosity = config_.verbose;
    settings.state_file = config_.state_dir + "/babeld.state";
    settings.pid_file = config_.run_dir + "/babeld.pid";
    settings.control_socket = config_.run_dir + "/babeld.sock";
    for (const auto& server : servers_)
        settings.tunnels.push_back(server->interface);
    for (const auto& name : tunnels_->interfaces())
        settings.tunnels.push_back(name);
    settings.lan_interfaces = config_.lan_interfaces;

    babel_control_ = std::make_unique<BabelControl>(io_, settings.control_socket);
    babeld_log_ = std::make_unique<ChildLog>(io_, config_.log_dir + "/re6stnet-babeld.log");
    babeld_ = std::make_unique<SupervisedProcess>(io_, launcher_, reaper_, "babeld", [this, settings] {
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

void Daemon::start_registry()
{
    const auto& id = *identity_;
    registry_ = std::make_unique<XmlRpcRegistry>(io_.get_executor(), Url::parse(config_.registry),
                                                 id.address, id.prefix, registry_timeout);
    PeerRefresher::Settings settings;
    settings.interval = config_.peers_db_refresh;
    // The key is read by openssl, only when a bootstrap peer comes.
    auto decrypt = [this](const std::string& ciphertext, PeerRefresher::Decrypted done) {
        run_command_async(io_, launcher_, reaper_, openssl_.decrypt_command(config_.key),
                          ciphertext, std::chrono::seconds(10), [done](CommandResult result) {
                              if (result.status == 0)
                                  done(result.output, "");
                              else
                                  done(std::nullopt, result.output);
                          });
    };
    refresher_ = std::make_unique<PeerRefresher>(*peers_, *registry_, decrypt, settings);
    refresher_->changed = [this] {
        schedule_registry();
        // New peers need not wait for the next tick.
        if (!stopping_)
            tunnels_->fill();
    };
}

void Daemon::set_endpoints(const std::vector<Endpoint>& endpoints)
{
    refresher_->set_address(format_endpoints(endpoints), std::chrono::steady_clock::now());
    schedule_registry();
}

void Daemon::on_client_hook(const HookMessage& message)
{
    if (message.event != HookMessage::Event::route_up)
        return;
    log::info("a tunnel is up; our public address as its peer sees it: ", message.argument);
    refresher_->tunnel_up(std::chrono::steady_clock::now());
    schedule_registry();
    // Our public IP as a peer saw it: without --ip or UPnP, that is what
    // we advertise, with our own server ports.
    if (!config_.ip.empty() || mapped_endpoints_)
        return;
    std::vector<Endpoint> endpoints;
    for (const auto& port : config_.pp)
        endpoints.push_back({message.argument, port.port, port.client_proto()});
    set_endpoints(endpoints);
}

void Daemon::on_server_hook(const HookMessage& message)
{
    auto prefix = bits_from_cn(message.argument);
    if (message.event == HookMessage::Event::client_connect) {
        log::info("incoming tunnel from ", message.argument);
        tunnels_->incoming_connected(prefix);
    } else if (message.event == HookMessage::Event::client_disconnect) {
        log::info("incoming tunnel from ", message.argument, " closed");
        tunnels_->incoming_disconnected(prefix);
    }
}

void Daemon::tick()
{
    if (stopping_)
        return;
    if (tunnels_->fill() > 0)
        refresher_->want_peers(std::chrono::steady_clock::now());
    else
        refresher_->satisfied();
    schedule_registry();
    tick_timer_.expires_after(tick_period);
    tick_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error)
            tick();
    });
}

void Daemon::refresh_tunnels()
{
    if (stopping_)
        return;
    babel_control_->request("dump", [this](const std::string& error, const std::string& data) {
        if (stopping_)
            return;
        if (!error.empty()) {
            log::warning("cannot count routes: ", error);
        } else {
            auto dump = parse_babel_dump(data);
            if (dump.malformed_lines)
                log::warning("babeld dump: ", dump.malformed_lines, " lines not understood");
            std::set<std::string> lan(config_.lan_interfaces.begin(), config_.lan_interfaces.end());
            tunnels_->refresh(count_routes(dump.routes, identity_->network, lan));
        }
        schedule_tunnel_refresh();
    });
}

void Daemon::schedule_tunnel_refresh()
{
    tunnel_refresh_timer_.expires_after(refresh_delay(config_.tunnel_refresh, random_));
    tunnel_refresh_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error)
            refresh_tunnels();
    });
}

void Daemon::schedule_registry()
{
    if (stopping_)
        return;
    auto due = refresher_->due();
    if (due == std::chrono::steady_clock::time_point::max()) {
        registry_timer_.cancel();
        return;
    }
    registry_timer_.expires_at(due);
    registry_timer_.async_wait([this](const boost::system::error_code& error) {
        if (error || stopping_)
            return;
        refresher_->run(std::chrono::steady_clock::now());
        schedule_registry();
    });
}

void Daemon::reopen_logs()
{
    babeld_log_->reopen();
    for (auto& server : servers_)
        server->log->reopen();
    tunnels_->reopen_logs();
    log::info("log files reopened");
}

void Daemon::stop(std::function<void()> done)
{
    if (stopping_)
        return;
    stopping_ = true;
    log::info("stopping");
    tick_timer_.cancel();
    tunnel_refresh_timer_.cancel();
    registry_timer_.cancel();
    babel_control_->reset("stopping");
    babeld_->stop(stop_grace, [this, done = std::move(done)]() mutable {
        auto remaining = std::make_shared<std::size_t>(servers_.size() + 1);
        auto one_done = [this, remaining, done = std::move(done)] {
            if (--*remaining == 0)
                finish_stop(done);
        };
        for (auto& server : servers_)
            server->process->stop(stop_grace, one_done);
        tunnels_->stop(stop_grace, one_done);
    });
}

void Daemon::finish_stop(std::function<void()> done)
{
    port_mapper_.reset();   // removes the mappings
    network_->undo();
    network_.reset();
    management_.reset();
    log::info("stopped");
    if (done)
        done();
}

}  // namespace re6st
