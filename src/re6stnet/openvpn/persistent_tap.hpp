// An OpenVPN process's tap, made persistent by the daemon so that it
// outlives the process. A server replaced to present a renewed certificate
// (or a new --max-clients), or a client tunnel restarted for the same
// reason, then leaves its tap up, with its link-local address, its babeld
// neighbours and the kernel routes through it: the clients connect again
// to the new process (a server's, told by --explicit-exit-notify), which
// opens the same tap, and Babel sees a second or two of lost packets
// instead of every neighbour on the tap going away and coming back. When
// its process ends for any other reason the tap is deleted at once, as
// OpenVPN would have: babeld retracts the routes through it instead of
// waiting for its hellos to be missed.
#pragma once

#include "re6stnet/process/command.hpp"

#include <string>

namespace re6st {

class PersistentTap {
public:
    // `sys_class_net` is /sys/class/net, or a scratch directory in tests.
    PersistentTap(CommandRunner run, std::string name, std::string sys_class_net = "/sys/class/net");
    ~PersistentTap();   // removes the tap if kept
    PersistentTap(const PersistentTap&) = delete;
    PersistentTap& operator=(const PersistentTap&) = delete;

    // Before each start of the process: makes the tap persistent unless it
    // already is (a killed daemon's, which the new process takes over).
    // When `ip` refuses, logs a warning and leaves the tap to OpenVPN,
    // which deletes it when it ends; returns whether it is kept.
    bool keep();
    // Deletes a kept tap; best effort.
    void remove();
    bool kept() const { return kept_; }

    static std::vector<std::string> add_command(const std::string& name);
    static std::vector<std::string> delete_command(const std::string& name);

private:
    bool persistent() const;

    CommandRunner run_;
    std::string name_;
    std::string sys_class_net_;
    bool kept_ = false;
};

}  // namespace re6st
