// The command line of babeld.
#include "re6stnet/babel/babeld_command.hpp"

#include <algorithm>
#include <cstdio>

namespace re6st {

namespace {

// babeld's -d 1 dumps its whole table at every turn of its main loop: with
// hellos every 0.2 s on every tap, megabytes a minute. Only our tracing
// level (3) asks for that; babeld's warnings are always logged.
std::string babeld_debug(int verbosity)
{
    return verbosity >= 3 ? "1" : "0";
}

// babeld takes its router id from a MAC address, which it does not find on
// our taps: it picks one at random at every start, and a restarted babeld
// looks like a new router whose announcements its neighbours do not
// trust at once. A fixed one instead, from the node's address: its two
// halves folded into 64 bits, which keep the node prefix whole.
std::string router_id(const Ipv6Address& address)
{
    const auto& bytes = address.bytes();
    std::string id;
    for (std::size_t i = 0; i < 8; ++i) {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%02x", unsigned(bytes[i] ^ bytes[i + 8]));
        id += (i ? ":" : "") + std::string(hex);
    }
    return id;
}

}  // namespace

std::vector<std::string> babeld_command(const BabeldSettings& s)
{
    auto hello = std::to_string(s.hello.count());
    std::vector<std::string> argv{
        s.program,
        "-h", hello,
        "-H", hello,
        "-d", babeld_debug(s.verbosity),
        "-S", s.state_file,
        // Several babeld on one machine (namespaces) need distinct pid files.
        "-I", s.pid_file,
        // Read-write control socket, in the daemon's root-only run directory.
        "-G", s.control_socket,
        // Announce our subnet only, accept routes inside the network only.
        "-C", "redistribute ip " + s.subnet.to_string() + " eq "
                  + std::to_string(s.subnet.length()),
        "-C", "redistribute local deny",
        "-C", "redistribute deny",
        "-C", "in ip " + s.network.prefix().to_string(),
        "-C", "in deny",
        // Traffic to other nodes leaves from our overlay address.
        "-C", "install pref-src " + s.address.to_string(),
        "-C", "router-id " + router_id(s.address),
    };
    if (s.wireless)
        argv.push_back("-w");
    // Taps are declared up front, even those not created yet: babeld follows
    // them through netlink as they come and go.
    for (const auto& tunnel : s.tunnels)
        argv.insert(argv.end(), {"-C", babeld_tunnel_interface(s, tunnel)});
    for (const auto& lan : s.lan_interfaces)
        argv.insert(argv.end(), {"-C", "interface " + lan});
    return argv;
}

// "type tunnel" turns split horizon off, which a server tap shared by
// several clients needs. Frequent hellos, with link-quality estimation so
// that a lossy link costs more rather than flapping, keep packets flowing
// for OpenVPN's timeout; full route updates keep the --hello pace.
std::string babeld_tunnel_interface(const BabeldSettings& s, const std::string& tunnel)
{
    auto ms = s.tunnel_hello.count();
    auto hello = std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
    auto update = std::to_string(4 * s.hello.count());
    return "interface " + tunnel + " type tunnel hello-interval " + hello + " update-interval "
        + update + " link-quality true";
}

std::chrono::milliseconds drain_time(std::chrono::milliseconds tunnel_hello)
{
    using namespace std::chrono_literals;
    return std::min<std::chrono::milliseconds>(16 * tunnel_hello + 1s, 60s);
}

}  // namespace re6st
