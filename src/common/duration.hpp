// Durations as option values: "90s", "10m", "12h", "365d", or a plain number
// in a unit the option chooses (so that older option files keep their
// meaning). No I/O.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace re6st {

// A value parse_duration refuses; the message is a short reason, without
// the value ("unknown unit \"w\" (s, m, h or d)").
class DurationError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// The longest duration parse_duration accepts: 1000 years, far from any
// overflow of the time arithmetic done with it.
inline constexpr std::chrono::seconds max_duration = std::chrono::days(365'000);

// A non-negative integer of decimal digits followed by one unit, s, m, h or
// d; or the digits alone, counting `plain_unit`s (positive). Throws DurationError for
// anything else: empty, signed, fractional, an unknown unit, spaces, more
// than max_duration.
std::chrono::seconds parse_duration(std::string_view text, std::chrono::seconds plain_unit);

// In the largest of d, h, m, s that divides it: "365d", "5m", "90s", "0s".
// parse_duration reads it back.
std::string format_duration(std::chrono::seconds duration);

}  // namespace re6st
