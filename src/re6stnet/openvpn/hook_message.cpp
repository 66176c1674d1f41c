// Parsing the hook scripts' reports.
#include "re6stnet/openvpn/hook_message.hpp"

#include "common/prefix.hpp"

#include <arpa/inet.h>

#include <array>

namespace re6st {

namespace {

bool is_ip_literal(const std::string& text)
{
    std::array<unsigned char, 16> buffer;
    return inet_pton(AF_INET, text.c_str(), buffer.data()) == 1
        || inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

std::string printable(std::string_view text)
{
    std::string out;
    for (unsigned char c : text.substr(0, 200))
        out += c >= 0x20 && c < 0x7f ? char(c) : '?';
    return out;
}

}  // namespace

HookMessage parse_hook_message(std::string_view datagram)
{
    auto bad = [&](const char* why) {
        return HookMessageError("bad hook message \"" + printable(datagram) + "\": " + why);
    };
    std::string_view text = datagram;
    if (text.ends_with('\n'))
        text.remove_suffix(1);
    auto space = text.find(' ');
    if (space == text.npos)
        throw bad("expected \"<event> <argument>[ <serial>]\"");
    auto event = text.substr(0, space);
    auto rest = text.substr(space + 1);
    std::string serial;
    if (auto second = rest.find(' '); second != rest.npos) {
        serial = rest.substr(second + 1);
        rest = rest.substr(0, second);
        if (serial.empty() || serial.size() > 60
            || serial.find_first_not_of("0123456789") != serial.npos)
            throw bad("the serial is not a decimal number");
        if (event == "client-disconnect")
            throw bad("unexpected serial");
    }
    std::string argument(rest);
    if (argument.empty() || argument.find_first_of(std::string_view("\0\n\r\t", 4))
                                != std::string::npos)
        throw bad("empty or malformed argument");

    HookMessage message{HookMessage::Event::route_up, argument, serial};
    if (event == "client-connect" || event == "client-disconnect") {
        message.event = event == "client-connect" ? HookMessage::Event::client_connect
                                                  : HookMessage::Event::client_disconnect;
        try {
            bits_from_cn(argument);
        } catch (const AddressError&) {
            throw bad("the common name is not a node prefix");
        }
    } else if (event == "route-up") {
        if (!is_ip_literal(argument))
            throw bad("not an IP address");
    } else {
        throw bad("unknown event");
    }
    return message;
}

}  // namespace re6st
