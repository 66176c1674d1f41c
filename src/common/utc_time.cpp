// Instants as text, in UTC.
#include "common/utc_time.hpp"

namespace re6st {

std::string utc_time(std::time_t when)
{
    std::tm utc;
    if (!gmtime_r(&when, &utc))   // only for years beyond int
        return std::to_string(when) + " s after the epoch";
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
    return text;
}

}  // namespace re6st
