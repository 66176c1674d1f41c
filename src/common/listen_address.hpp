// ADDRESS:PORT, where a server listens: "127.0.0.1:9097", "[::1]:9097",
// "[fe80::1%eth0]:9097". Parsing only; no name resolution, so a host name
// is refused.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace re6st {

// The message quotes the bad text and says what is wrong with it; reason()
// says only what is wrong.
class ListenAddressError : public std::invalid_argument {
public:
    ListenAddressError(std::string_view text, std::string reason);
    const std::string& reason() const { return reason_; }

private:
    std::string reason_;
};

// Port 0 is accepted: any free port.
boost::asio::ip::tcp::endpoint parse_listen_address(std::string_view text);

// "127.0.0.1:9097", "[::1]:9097": what parse_listen_address reads back.
std::string format_listen_address(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace re6st
