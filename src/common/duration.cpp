// Durations as option values.
#include "common/duration.hpp"

#include <array>
#include <cstdint>
#include <utility>

namespace re6st {

namespace {

using namespace std::chrono_literals;

constexpr std::array<std::pair<char, std::chrono::seconds>, 4> units{
    {{'d', 86400s}, {'h', 3600s}, {'m', 60s}, {'s', 1s}}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::chrono::seconds parse_duration(std::string_view text, std::chrono::seconds plain_unit)
{
    if (text.empty())
        throw DurationError("empty");
    if (text.front() == '-')
        throw DurationError("negative");
    std::size_t end = 0;
    while (end < text.size() && is_digit(text[end]))
        ++end;
    if (end == 0)
        throw DurationError("not a number");
    auto suffix = text.substr(end);
    if (suffix.starts_with('.') || suffix.starts_with(','))
        throw DurationError("not a whole number");

    auto unit = plain_unit;
    if (!suffix.empty()) {
        bool known = false;
        for (auto [letter, length] : units)
            if (suffix.size() == 1 && suffix.front() == letter) {
                unit = length;
                known = true;
            }
        if (!known)
            throw DurationError("unknown unit \"" + std::string(suffix) + "\" (s, m, h or d)");
    }
    // Digit by digit, stopping as soon as the total passes the maximum, so
    // that no count overflows however many digits there are.
    const auto limit = max_duration / unit;
    std::int64_t count = 0;
    for (char digit : text.substr(0, end)) {
        count = count * 10 + (digit - '0');
        if (count > limit)
            throw DurationError("too long (at most " + format_duration(max_duration) + ")");
    }
    return count * unit;
}

std::string format_duration(std::chrono::seconds duration)
{
    auto count = duration.count();
    for (auto [letter, length] : units)
        if (count != 0 && count % length.count() == 0) {
            auto text = std::to_string(count / length.count());
            text += letter;
            return text;
        }
    return std::to_string(count) + "s";
}

}  // namespace re6st
