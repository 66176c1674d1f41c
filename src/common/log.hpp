// Logging with the original's verbosity levels (0 warnings, 1 info, 2 debug,
// 3 trace; errors always) to stderr, one write per line. Under systemd the
// lines carry sd-daemon priority prefixes ("<4>...") so journald files them at
// the right level; elsewhere they carry a timestamp and the level name.
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace re6st::log {

enum class Level : int { error = -1, warning = 0, info = 1, debug = 2, trace = 3 };

void set_verbosity(int verbosity);
int verbosity();
inline bool enabled(Level level) { return int(level) <= verbosity(); }

// Where lines go; the default writes to stderr. Tests capture lines here.
using Sink = std::function<void(Level, std::string_view message)>;
void set_sink(Sink sink);   // an empty sink restores stderr

// The line as written to stderr (without the newline).
std::string format_line(Level level, std::string_view message, bool journal);

void write(Level level, std::string_view message);

template <class... Args>
void print(Level level, const Args&... args)
{
    if (!enabled(level))
        return;
    std::ostringstream line;
    (line << ... << args);
    write(level, line.str());
}

template <class... Args> void error(const Args&... args) { print(Level::error, args...); }
template <class... Args> void warning(const Args&... args) { print(Level::warning, args...); }
template <class... Args> void info(const Args&... args) { print(Level::info, args...); }
template <class... Args> void debug(const Args&... args) { print(Level::debug, args...); }
template <class... Args> void trace(const Args&... args) { print(Level::trace, args...); }

}  // namespace re6st::log
