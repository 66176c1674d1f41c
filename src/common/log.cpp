// Logging to stderr or journald.
#include "common/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace re6st::log {

namespace {

std::atomic<int> current_verbosity{0};
std::mutex sink_mutex;
Sink current_sink;

// systemd sets JOURNAL_STREAM to "<dev>:<inode>" of the stream it connected
// to stderr; a match means lines reach journald.
bool stderr_is_journal()
{
    const char* stream = std::getenv("JOURNAL_STREAM");
    struct stat st;
    unsigned long long dev = 0, ino = 0;
    return stream && std::sscanf(stream, "%llu:%llu", &dev, &ino) == 2
        && fstat(STDERR_FILENO, &st) == 0
        && st.st_dev == dev && st.st_ino == ino;
}

const char* level_name(Level level)
{
    switch (level) {
    case Level::error: return "ERROR";
    case Level::warning: return "WARNING";
    case Level::info: return "INFO";
    case Level::debug: return "DEBUG";
    case Level::trace: return "TRACE";
    }
    return "?";
}

int syslog_priority(Level level)
{
    switch (level) {
    case Level::error: return 3;
    case Level::warning: return 4;
    case Level::info: return 6;
    default: return 7;
    }
}

}  // namespace

void set_verbosity(int verbosity) { current_verbosity = verbosity; }
int verbosity() { return current_verbosity; }

void set_sink(Sink sink)
{
    std::lock_guard lock(sink_mutex);
    current_sink = std::move(sink);
}

std::string format_line(Level level, std::string_view message, bool journal)
{
    // Appended: in `"<" + string`, GCC 12 at -O3 sees an overlapping memcpy
    // that is not there (-Wrestrict).
    std::string line;
    if (journal) {
        line += '<';
        line += std::to_string(syslog_priority(level));
        line += '>';
    } else {
        std::time_t now = std::time(nullptr);
        std::tm local;
        localtime_r(&now, &local);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S ", &local);
        line = std::string(stamp) + level_name(level) + " ";
    }
    // One event, one line: a newline inside a message would forge another.
    for (char c : message)
        line += c == '\n' || c == '\r' ? ' ' : c;
    return line;
}

void write(Level level, std::string_view message)
{
    {
        std::lock_guard lock(sink_mutex);
        if (current_sink) {
            current_sink(level, message);
            return;
        }
    }
    static const bool journal = stderr_is_journal();
    std::string line = format_line(level, message, journal) + "\n";
    // A single write keeps lines from several threads whole.
    [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace re6st::log
