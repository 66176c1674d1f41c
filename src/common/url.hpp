// The registry's URLs: "http://HOST[:PORT][/PATH]", HOST a name, an IPv4
// address or a bracketed IPv6 address ("http://[2001:db8::1]:9080/").
// Parsing and formatting only; no name resolution.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace re6st {

// The message quotes the bad URL or host and says what is wrong with it.
class UrlError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct Url {
    std::string host;          // without brackets
    std::uint16_t port = 80;
    std::string path = "/";    // always starts with '/'

    // Only the "http" scheme: https is refused with a message saying so.
    static Url parse(std::string_view text);

    // An http URL from a host and a port as given on a command line: IPv6
    // addresses with or without brackets, IPv4 addresses, host names.
    static Url from_host_port(std::string_view host, std::uint16_t port);

    bool host_is_ipv6() const;
    std::string host_port() const;   // "[2001:db8::1]:9080", the Host header
    std::string to_string() const;   // always with the port: "http://h:80/"

    bool operator==(const Url&) const = default;
};

}  // namespace re6st
