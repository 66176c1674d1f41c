// One OpenVPN process the daemon owns, server or client tunnel: its tap
// interface, its log file under --log, and the channel its hook scripts
// report on. prepare() turns a command line into what the launcher starts:
// the output goes to the log, a fresh hook channel becomes fd 3.
#pragma once

#include "re6stnet/openvpn/hook_channel.hpp"
#include "re6stnet/process/child.hpp"
#include "re6stnet/process/child_log.hpp"

#include <memory>
#include <string>
#include <vector>

namespace re6st {

class OpenVpnProcess {
public:
    // Opens the log file (throws std::system_error naming it).
    OpenVpnProcess(boost::asio::io_context& io, std::string interface, std::string log_file,
                   HookChannel::Handler on_hook);

    const std::string& interface() const { return interface_; }

    // For each start: the reports of an earlier run are no longer read.
    PreparedProcess prepare(std::vector<std::string> argv);
    // After the process ended: stop reading its hooks.
    void forget_hooks() { hooks_.reset(); }
    void reopen_log() { log_.reopen(); }

private:
    boost::asio::io_context& io_;
    std::string interface_;
    ChildLog log_;
    HookChannel::Handler on_hook_;
    std::unique_ptr<HookChannel> hooks_;
};

}  // namespace re6st
