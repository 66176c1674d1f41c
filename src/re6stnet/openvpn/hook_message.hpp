// Reports from the OpenVPN hook scripts (hooks/ovpn-server, hooks/ovpn-client):
// one datagram "<event> <argument>[ <serial>]\n" per event.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace re6st {

class HookMessageError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct HookMessage {
    enum class Event {
        client_connect,      // a peer connected to one of our servers; argument: its CN
        client_disconnect,   // that peer went away; argument: its CN
        route_up,            // our client tunnel is up; argument: our IP as the server saw it
    };
    Event event;
    std::string argument;    // validated: a CN "<P>/<L>" or an IP literal
    // The serial of the peer's certificate, in decimal (OpenVPN's
    // tls_serial_0), on client-connect and route-up; empty if not given.
    std::string serial;

    bool operator==(const HookMessage&) const = default;
};

// Throws HookMessageError quoting the datagram when it is not a valid report.
HookMessage parse_hook_message(std::string_view datagram);

}  // namespace re6st
