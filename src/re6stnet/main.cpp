// re6stnet: the node daemon. Parses options, wires the daemon to the event
// loop and its signals, runs.
#include "common/log.hpp"
#include "common/service_notify.hpp"
#include "re6stnet/config.hpp"
#include "re6stnet/daemon.hpp"
#include "re6stnet/hook_access.hpp"
#include "re6stnet/openvpn_command.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>

#ifndef RE6ST_HOOK_DIR
#error "RE6ST_HOOK_DIR must name the installed hook directory"
#endif
#ifndef RE6ST_VERSION
#error "RE6ST_VERSION must be defined"
#endif

namespace {

// Next to the program in a build tree, the installed copy otherwise.
std::string default_hook_dir()
{
    std::error_code error;
    auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error && std::filesystem::exists(self.parent_path() / "hooks" / "ovpn-client"))
        return (self.parent_path() / "hooks").string();
    return RE6ST_HOOK_DIR;
}

}  // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (re6st::wants_help(args)) {
        std::cout << re6st::config_help();
        return 0;
    }
    if (re6st::wants_version(args)) {
        std::cout << "re6stnet " RE6ST_VERSION "\n";
        return 0;
    }
    re6st::Config config;
    try {
        config = re6st::parse_config(args);
    } catch (const re6st::UsageError& error) {
        std::cerr << "re6stnet: " << error.what() << " (see re6stnet --help)\n";
        return 2;
    }
    re6st::log::set_verbosity(config.verbose);
    std::signal(SIGPIPE, SIG_IGN);

    boost::asio::io_context io;
    auto hook_dir = config.hook_dir.empty() ? default_hook_dir() : config.hook_dir;
    try {
        re6st::check_hooks_runnable(hook_dir, re6st::hook_user(re6st::openvpn_user));
    } catch (const std::exception& error) {
        re6st::log::error(error.what());
        return 1;
    }
    re6st::Daemon daemon(io, config, hook_dir);
    boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
    boost::asio::signal_set log_signals(io, SIGHUP, SIGUSR1);
    std::function<void()> wait_log_signal = [&] {
        log_signals.async_wait([&](const boost::system::error_code& error, int) {
            if (error)
                return;
            daemon.reopen_logs();
            wait_log_signal();
        });
    };
    wait_log_signal();
    stop_signals.async_wait([&](const boost::system::error_code& error, int signal) {
        if (error)
            return;
        re6st::log::info("received ", strsignal(signal));
        re6st::notify_service("STOPPING=1");
        daemon.stop([&] { io.stop(); });
        // A second signal while stopping: stop waiting for the children.
        stop_signals.async_wait([&](const boost::system::error_code& again, int) {
            if (!again)
                io.stop();
        });
    });

    try {
        daemon.start();
    } catch (const std::exception& error) {
        re6st::log::error(error.what());
        return 1;
    }
    // Started: servers listen, babeld runs; tunnels come as peers answer.
    re6st::notify_service("READY=1");
    io.run();
    return 0;
}
