// Instants as people read them in logs and messages, whatever the local
// time zone: "2027-12-06 18:57:19 UTC".
#pragma once

#include <ctime>
#include <string>

namespace re6st {

std::string utc_time(std::time_t when);

}  // namespace re6st
