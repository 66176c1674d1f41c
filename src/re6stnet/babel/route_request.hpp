// Asks the babeld at the other end of a tap for all its routes at once.
//
// babeld 1.12 asks its neighbours for their routes when an interface comes
// up, and otherwise waits for their periodic updates (every four --hello).
// A server's tap comes up long before its clients connect: the routes of a
// new client would reach the server's node only with the client's next
// update, seconds to a minute later, and a node whose former link to that
// client just dropped (its server was replaced after a renewal) keeps
// finding only unfeasible routes to it until then. So, shortly after a
// client connects, the daemon sends a wildcard route request of its own on
// the server's tap, from the tap's link-local address (the one babeld uses
// too): each babeld on the tap answers with its full table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace re6st {

// A Babel packet (RFC 8966) holding one wildcard Route Request TLV.
std::vector<std::uint8_t> wildcard_route_request();

// Sends it to the Babel multicast group (ff02::1:6, port 6696) on
// `interface`, not looped back to our own babeld. Returns why it could not,
// or an empty string.
std::string request_routes(const std::string& interface);

}  // namespace re6st
