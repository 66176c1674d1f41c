// Durations as option values: a unit suffix, or a plain number in the
// option's own unit; everything else refused with a short reason.
#include "common/duration.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace std::chrono_literals;

namespace {

std::string refusal(std::string_view text, std::chrono::seconds plain_unit = 1s)
{
    try {
        std::string accepted = "accepted as ";
        accepted += format_duration(parse_duration(text, plain_unit));
        return accepted;
    } catch (const DurationError& error) {
        return error.what();
    }
}

}  // namespace

TEST(Duration, UnitSuffixes)
{
    const std::pair<const char*, std::chrono::seconds> cases[] = {
        {"90s", 90s}, {"10m", 600s}, {"12h", 43200s}, {"365d", 365 * 86400s},
        {"0s", 0s},   {"0d", 0s},    {"007m", 420s},
    };
    for (const auto& [text, expected] : cases) {
        EXPECT_EQ(parse_duration(text, 1s), expected) << text;
        EXPECT_EQ(parse_duration(text, 86400s), expected) << text;   // the suffix wins
    }
}

TEST(Duration, PlainNumberCountsTheOptionsUnit)
{
    EXPECT_EQ(parse_duration("30", 86400s), 30 * 86400s);
    EXPECT_EQ(parse_duration("600", 1s), 600s);
    EXPECT_EQ(parse_duration("0", 60s), 0s);
}

TEST(Duration, RefusalsSayWhy)
{
    const std::pair<const char*, const char*> cases[] = {
        {"", "empty"},
        {"-5", "negative"},
        {"-5s", "negative"},
        {"+5", "not a number"},
        {" 5", "not a number"},
        {"s", "not a number"},
        {"1.5h", "not a whole number"},
        {"1,5", "not a whole number"},
        {"5w", "unknown unit \"w\" (s, m, h or d)"},
        {"5 s", "unknown unit \" s\" (s, m, h or d)"},
        {"5sec", "unknown unit \"sec\" (s, m, h or d)"},
        {"5S", "unknown unit \"S\" (s, m, h or d)"},
        {"5hm", "unknown unit \"hm\" (s, m, h or d)"},
        {"365001d", "too long (at most 365000d)"},
        {"99999999999999999999999999", "too long (at most 365000d)"},
    };
    for (const auto& [text, reason] : cases)
        EXPECT_EQ(refusal(text), reason) << '"' << text << '"';
}

TEST(Duration, LongestAccepted)
{
    EXPECT_EQ(parse_duration("365000d", 1s), max_duration);
    EXPECT_EQ(parse_duration("365000", 86400s), max_duration);
    EXPECT_EQ(refusal("365001", 86400s), "too long (at most 365000d)");
    EXPECT_EQ(parse_duration(std::to_string(max_duration.count()), 1s), max_duration);
    EXPECT_EQ(refusal(std::to_string(max_duration.count() + 1)), "too long (at most 365000d)");
}

TEST(Duration, FormattedInTheLargestUnitThatDividesIt)
{
    const std::pair<std::chrono::seconds, const char*> cases[] = {
        {365 * 86400s, "365d"}, {86400s, "1d"}, {300s, "5m"}, {90s, "90s"},
        {7200s, "2h"},          {90000s, "25h"}, {0s, "0s"},  {1s, "1s"},
    };
    for (const auto& [duration, text] : cases) {
        EXPECT_EQ(format_duration(duration), text);
        EXPECT_EQ(parse_duration(text, 1s), duration) << text;
    }
}
