// babeld's dump, read from its control socket, and the route counts the
// tunnel manager decides with. babeld relays what neighbours announce, so
// the prefixes in a dump come from peers.
#include "fuzz_check.hpp"
#include "re6stnet/babel/babel_dump.hpp"

#include <algorithm>

using namespace re6st;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const Network network(Ipv6Prefix::parse("2001:db8:42::/48"));
    static const std::set<std::string> lan{"eth0", "lan0"};

    auto text = fuzz::text_of(data, size);
    auto dump = parse_babel_dump(text);
    std::size_t lines = std::count(text.begin(), text.end(), '\n') + 1;
    fuzz::check(dump.routes.size() + dump.malformed_lines <= lines,
                "at most one route or one malformed line per line");

    auto count = count_routes(dump.routes, network, lan);
    std::size_t counted = 0;
    for (const auto& [interface, routes] : count.per_interface)
        counted += routes;
    fuzz::check(counted <= dump.routes.size(), "no route counted twice");
    for (const auto& bits : count.lan_prefixes)
        fuzz::check(!bits.empty() && bits.size() <= network.max_node_bits() && is_bit_string(bits),
                    "a LAN prefix is a node prefix of the network");
    return 0;
}
