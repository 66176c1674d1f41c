// Peers for the peer-cache tests: node i has the 16-bit prefix i and an
// address of its own.
#pragma once

#include "re6stnet/peer_db.hpp"

#include <string>

namespace re6st::test {

inline std::string bits(int value)
{
    std::string out(16, '0');
    for (int bit = 0; bit < 16; ++bit)
        out[15 - bit] = (value >> bit & 1) ? '1' : '0';
    return out;
}

inline Peer peer(int value)
{
    return {bits(value), {{"10.0.0." + std::to_string(value), 1194, "udp"}}};
}

}  // namespace re6st::test
