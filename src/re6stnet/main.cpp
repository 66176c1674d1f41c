// re6stnet: the node daemon. Parses options, loads the node's identity,
// plans, wires the daemon to the event loop and its signals, runs.
#include "common/log.hpp"
#include "common/service_notify.hpp"
#include "re6stnet/config.hpp"
#include "re6stnet/daemon.hpp"
#include "re6stnet/openvpn/hook_access.hpp"
#include "re6stnet/status_command.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>

#ifndef RE6ST_HOOK_DIR
#error "RE6ST_HOOK_DIR must name the installed hook directory"
#endif
#ifndef RE6ST_VERSION
#error "RE6ST_VERSION must be defined"
#endif

namespace {

using namespace re6st;

constexpr std::chrono::seconds registry_timeout{20};

// Next to the program in a build tree, the installed copy otherwise.
std::string default_hook_dir()
{
    std::error_code error;
    auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error && std::filesystem::exists(self.parent_path() / "hooks" / "ovpn-client"))
        return (self.parent_path() / "hooks").string();
    return RE6ST_HOOK_DIR;
}

// The plan, from the options and the node's files; throws naming the
// file or option at fault.
DaemonPlan make_plan(const Config& config)
{
    auto hook_dir = config.hook_dir.empty() ? default_hook_dir() : config.hook_dir;
    check_hooks_runnable(hook_dir, hook_user(openvpn_user));
    auto identity = NodeIdentity::load(OpenSslTool(run_command), config.ca, config.cert,
                                       config.key);
    return plan_daemon(config, identity, hook_dir, read_host_network());
}

// SIGTERM/SIGINT stop the daemon (a second one: stop waiting for the
// children); SIGHUP/SIGUSR1 reopen the log files.
void handle_signals(boost::asio::io_context& io, Daemon& daemon,
                    boost::asio::signal_set& stop_signals, boost::asio::signal_set& log_signals)
{
    log_signals.async_wait([&](const boost::system::error_code& error, int) {
        if (error)
            return;
        handle_signals(io, daemon, stop_signals, log_signals);
        daemon.reopen_logs();
    });
    stop_signals.async_wait([&](const boost::system::error_code& error, int signal) {
        if (error)
            return;
        log::info("received ", strsignal(signal));
        notify_service("STOPPING=1");
        daemon.stop([&] { io.stop(); });
        stop_signals.async_wait([&](const boost::system::error_code& again, int) {
            if (!again)
                io.stop();
        });
    });
}

}  // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (wants_help(args)) {
        std::cout << config_help();
        return 0;
    }
    if (wants_version(args)) {
        std::cout << "re6stnet " RE6ST_VERSION "\n";
        return 0;
    }
    Config config;
    try {
        config = parse_config(args);
    } catch (const UsageError& error) {
        std::cerr << "re6stnet: " << error.what() << " (see re6stnet --help)\n";
        return 2;
    }
    if (config.status)
        return show_status(config.run_dir, config.json, std::cout, std::cerr);
    log::set_verbosity(config.verbose);
    std::signal(SIGPIPE, SIG_IGN);

    boost::asio::io_context io;
    std::optional<DaemonPlan> plan;
    try {
        plan = make_plan(config);
    } catch (const std::exception& error) {
        log::error(error.what());
        return 1;
    }
    const auto& id = plan->identity;
    XmlRpcRegistry registry(io.get_executor(), plan->registry, id.network, id.address, id.prefix,
                            registry_timeout);
    RegistryCalls calls;
    RecordedRegistry recorded(registry, calls);
    PosixProcessLauncher launcher;
    SteadyClock clock(io);
    DaemonServices services{launcher, run_command, clock, recorded};
    services.registry_calls = &calls;
    Daemon daemon(io, std::move(*plan), std::move(services));
    boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
    boost::asio::signal_set log_signals(io, SIGHUP, SIGUSR1);
    handle_signals(io, daemon, stop_signals, log_signals);
    try {
        daemon.start();
    } catch (const std::exception& error) {
        log::error(error.what());
        return 1;
    }
    // Started: servers listen, babeld runs; tunnels come as peers answer.
    notify_service("READY=1");
    return daemon.run();
}
