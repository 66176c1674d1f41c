// ADDRESS:PORT parsing.
#include "common/listen_address.hpp"

#include <charconv>

namespace re6st {

namespace asio = boost::asio;

ListenAddressError::ListenAddressError(std::string_view text, std::string reason)
    : std::invalid_argument("\"" + std::string(text) + "\": " + reason), reason_(std::move(reason))
{
}

namespace {

[[noreturn]] void fail(std::string_view text, std::string reason)
{
    throw ListenAddressError(text, std::move(reason));
}

}  // namespace

asio::ip::tcp::endpoint parse_listen_address(std::string_view text)
{
    std::string_view host, port_text;
    bool bracketed = text.starts_with('[');
    if (bracketed) {
        auto close = text.find(']');
        if (close == text.npos || text.substr(close + 1, 1) != ":")
            fail(text, "expected [ADDRESS]:PORT");
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else {
        auto colon = text.find(':');
        if (colon == text.npos)
            fail(text, "expected ADDRESS:PORT");
        if (text.find(':', colon + 1) != text.npos)
            fail(text, "write an IPv6 address in brackets: [ADDRESS]:PORT");
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }

    unsigned port = 0;
    auto last = port_text.data() + port_text.size();
    auto [end, error] = std::from_chars(port_text.data(), last, port);
    if (port_text.empty() || error != std::errc() || end != last || port > 65535)
        fail(text, "the port must be a number from 0 to 65535");

    boost::system::error_code bad;
    auto address = asio::ip::make_address(std::string(host), bad);
    if (bad || address.is_v6() != bracketed)
        fail(text, bracketed ? "not an IPv6 address in the brackets"
                             : "not an IPv4 address (an IPv6 one goes in brackets)");
    return {address, std::uint16_t(port)};
}

std::string format_listen_address(const asio::ip::tcp::endpoint& endpoint)
{
    auto address = endpoint.address().to_string();
    if (endpoint.address().is_v6())
        address = "[" + address + "]";
    return address + ":" + std::to_string(endpoint.port());
}

}  // namespace re6st
