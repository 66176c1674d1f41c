// The datagrams the OpenVPN hook scripts send to the daemon. The scripts pass
// on what OpenVPN gives them (a peer's certificate CN, an address the server
// pushed), so a peer chooses part of every message.
#include "fuzz_check.hpp"
#include "re6stnet/openvpn/hook_message.hpp"

#include "common/prefix.hpp"

using namespace re6st;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    HookMessage message;
    try {
        message = parse_hook_message(fuzz::text_of(data, size));
    } catch (const HookMessageError&) {
        return 0;
    }
    if (message.event != HookMessage::Event::route_up)
        // The daemon decodes the CN of a connect or disconnect report.
        bits_from_cn(message.argument);
    const char* event = message.event == HookMessage::Event::client_connect ? "client-connect"
                      : message.event == HookMessage::Event::client_disconnect ? "client-disconnect"
                                                                              : "route-up";
    fuzz::check(parse_hook_message(std::string(event) + " " + message.argument + "\n") == message,
                "a parsed message, written again, parses to the same");
    return 0;
}
