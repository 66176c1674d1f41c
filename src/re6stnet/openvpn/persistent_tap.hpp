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

#include "common/unique_fd.hpp"
#include "re6stnet/process/child.hpp"
#include "re6stnet/process/command.hpp"

#include <memory>
#include <string>

namespace re6st {

// Deletes the kept taps of a daemon that dies without deleting them itself
// (SIGKILL, a crash), as OpenVPN's own taps went with their process: a
// shell, the daemon's child, reads a line on its stdin for each change
// ("+NAME", "-NAME"), and once that socket closes, which happens when the
// daemon ends however it ends, deletes the taps still listed, each once
// the OpenVPN process that held it has quit too (one still held 5 s later
// belongs to a daemon started since, and stays). A daemon that
// stops in order has deleted them all, and closes the socket: the shell
// then exits having deleted nothing. It ignores SIGTERM, which systemd
// sends to what is left of a service whose main process died.
class TapSweeper {
public:
    explicit TapSweeper(const ProcessContext& context);
    void kept(const std::string& tap);
    void removed(const std::string& tap);
    // The daemon is done with its taps: the shell ends.
    void close();

    static std::vector<std::string> command();

private:
    void tell(const std::string& line);

    UniqueFd socket_;
    std::unique_ptr<Child> shell_;
};

class PersistentTap {
public:
    // `sys_class_net` is /sys/class/net, or a scratch directory in tests.
    // `sweeper`, if any, is told of each tap kept and removed.
    PersistentTap(CommandRunner run, std::string name, TapSweeper* sweeper = nullptr,
                  std::string sys_class_net = "/sys/class/net");
    ~PersistentTap();   // removes the tap if kept
    PersistentTap(const PersistentTap&) = delete;
    PersistentTap& operator=(const PersistentTap&) = delete;

    // Before each start of the process: makes the tap persistent unless it
    // already is. At the first call a persistent tap no process holds,
    // which a killed daemon left, is deleted and made anew.
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
    bool held() const;

    CommandRunner run_;
    std::string name_;
    TapSweeper* sweeper_;
    std::string sys_class_net_;
    bool kept_ = false;
    bool taken_ = false;   // keep() has been called
};

}  // namespace re6st
