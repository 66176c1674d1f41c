// The XML-RPC value getPeerList returns, written directly. Building it through
// xmlrpc-c's value objects costs ~70 % of the server's work for that call;
// this writes the bytes xmlrpc-c 1.33 writes for the same values,
// which tests/registry/test_peer_list_xml.cpp checks against xmlrpc-c itself.
#pragma once

#include <string>
#include <string_view>

namespace re6st::registry {

// One [prefix, address] element of the array. Throws std::invalid_argument
// for text xmlrpc-c would not pass through unchanged: carriage returns (it
// rewrites line ends) and control characters other than tab and newline
// (not allowed in XML).
std::string encode_peer_element(std::string_view prefix, std::string_view address);

// The array value is head + any number of elements + tail.
std::string_view array_value_head();
std::string_view array_value_tail();

}  // namespace re6st::registry
