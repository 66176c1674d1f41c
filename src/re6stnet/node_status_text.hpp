// A node's status as `re6stnet --status` prints it: a few lines about the
// node, its registry and endpoints, then a table of its servers and one of
// its tunnels, aligned, for a person to judge the node at a glance.
#pragma once

#include "re6stnet/node_status.hpp"

#include <string>

namespace re6st {

// Ages and expiries are said relative to `now`.
std::string status_text(const NodeStatus& status, NodeStatus::Time now);

}  // namespace re6st
