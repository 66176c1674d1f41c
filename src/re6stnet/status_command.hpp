// re6stnet --status [--json]: asks the daemon over its control socket and
// prints its answer, as text tables or as the JSON received. Needs no
// certificate: only the right to open the socket (root).
#pragma once

#include <chrono>
#include <ostream>
#include <stdexcept>
#include <string>

namespace re6st {

// No daemon listens there: no socket, or nothing accepting on it.
class DaemonNotRunning : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Sends `request` and a newline on the socket at `path` and returns all the
// daemon answers. Throws DaemonNotRunning, or std::runtime_error for any
// other failure (no permission, no answer within `timeout`...), each with a
// one-line message naming the socket.
std::string ask_daemon(const std::string& path, const std::string& request,
                       std::chrono::milliseconds timeout);

// The whole command: 0 when the status was printed on `out`, else 1 with
// one line on `err`.
int show_status(const std::string& run_dir, bool json, std::ostream& out, std::ostream& err,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace re6st
