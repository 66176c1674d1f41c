// Child processes for integration tests: real servers and the programs under
// test, started by argv (no shell), their stdout and stderr captured, and
// always killed by PID and reaped when the test ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re6st::test {

class Process {
public:
    struct Options {
        bool pipe_stdin = false;                   // else stdin is /dev/null
        std::map<std::string, std::string> env;    // added to the environment
    };

    explicit Process(const std::vector<std::string>& argv) : Process(argv, Options{}) {}
    Process(const std::vector<std::string>& argv, const Options& options);
    // Kills the child (SIGKILL, by its PID) if it is still running, and reaps it.
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }

    // The next line of stdout (without '\n'), or nullopt at end of output or
    // when none comes within `timeout`.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);

    void write_stdin(std::string_view text);
    void close_stdin();

    // Waits for the exit and returns the exit status (128 + signal when
    // killed); nullopt if still running after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout);

    void terminate();   // SIGTERM

    // Everything read so far (all of it once wait() returned).
    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }

private:
    // Reads what the pipes hold, waiting at most `timeout` for something.
    void pump(std::chrono::milliseconds timeout);

    pid_t pid_ = -1;
    std::optional<int> status_;
    int stdin_ = -1, stdout_ = -1, stderr_ = -1;
    std::string out_, err_;
    std::size_t out_consumed_ = 0;   // by read_line
};

// Debian's interpreter, not the pyenv shim on PATH.
inline constexpr const char* python3 = "/usr/bin/python3";

}  // namespace re6st::test
