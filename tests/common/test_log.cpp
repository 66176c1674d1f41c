// Logging levels and line format.
#include "common/log.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace re6st;

namespace {

struct Captured {
    std::vector<std::pair<log::Level, std::string>> lines;
    Captured()
    {
        log::set_sink([this](log::Level level, std::string_view message) {
            lines.emplace_back(level, std::string(message));
        });
    }
    ~Captured()
    {
        log::set_sink({});
        log::set_verbosity(0);
    }
};

}  // namespace

TEST(Log, VerbosityFiltersLevels)
{
    Captured captured;
    log::set_verbosity(1);
    log::error("e");
    log::warning("w");
    log::info("i ", 42);
    log::debug("d");
    log::trace("t");
    ASSERT_EQ(captured.lines.size(), 3u);
    EXPECT_EQ(captured.lines[0].second, "e");
    EXPECT_EQ(captured.lines[2], (std::pair{log::Level::info, std::string("i 42")}));
}

TEST(Log, ZeroShowsWarningsAndErrorsOnly)
{
    Captured captured;
    log::set_verbosity(0);
    log::info("hidden");
    log::warning("shown");
    ASSERT_EQ(captured.lines.size(), 1u);
    EXPECT_FALSE(log::enabled(log::Level::info));
    EXPECT_TRUE(log::enabled(log::Level::error));
}

TEST(Log, JournalLinesCarryPriorities)
{
    EXPECT_EQ(log::format_line(log::Level::error, "x", true), "<3>x");
    EXPECT_EQ(log::format_line(log::Level::warning, "x", true), "<4>x");
    EXPECT_EQ(log::format_line(log::Level::info, "x", true), "<6>x");
    EXPECT_EQ(log::format_line(log::Level::trace, "x", true), "<7>x");
}

TEST(Log, TerminalLinesCarryTimeAndLevel)
{
    auto line = log::format_line(log::Level::warning, "tunnel down", false);
    // "YYYY-MM-DD HH:MM:SS WARNING tunnel down"
    ASSERT_EQ(line.size(), 20 + 8 + 11u);
    EXPECT_EQ(line.substr(20), "WARNING tunnel down");
    EXPECT_EQ(line[4], '-');
    EXPECT_EQ(line[13], ':');
}

TEST(Log, NewlinesCannotForgeLines)
{
    EXPECT_EQ(log::format_line(log::Level::info, "a\nb\rc", true), "<6>a b c");
}
