// Short commands run to completion.
#include "re6stnet/process/command.hpp"

#include "common/unique_fd.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <sys/wait.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

namespace re6st {

namespace {

struct Pipe {
    UniqueFd read, write;
};

// False, with errno set, when no pipe could be made (out of descriptors).
bool make_pipe(Pipe& pipe)
{
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0)
        return false;
    pipe = {UniqueFd(ends[0]), UniqueFd(ends[1])};
    return true;
}

std::string pipe_error()
{
    return "pipe: " + std::string(strerror(errno));
}

void trim_newlines(std::string& text)
{
    while (!text.empty() && text.back() == '\n')
        text.pop_back();
}

// The state of one asynchronous run, shared by its handlers.
struct Run : std::enable_shared_from_this<Run> {
    Run(const ProcessContext& context, std::function<void(CommandResult)> done)
        : input(context.io), output(context.io), timer(context.clock.make_timer()),
          done(std::move(done))
    {
    }

    void read()
    {
        output.async_read_some(boost::asio::buffer(buffer),
                               [self = shared_from_this()](const boost::system::error_code& error,
                                                           std::size_t size) {
                                   self->result.output.append(self->buffer.data(), size);
                                   if (error) {
                                       self->eof = true;
                                       self->finish();
                                   } else {
                                       self->read();
                                   }
                               });
    }

    void finish()
    {
        if (!eof || !ended || !done)
            return;
        timer->cancel();
        trim_newlines(result.output);
        auto callback = std::move(done);
        callback(std::move(result));
    }

    boost::asio::posix::stream_descriptor input, output;
    std::unique_ptr<Timer> timer;   // the deadline
    std::function<void(CommandResult)> done;
    std::string data;
    std::array<char, 4096> buffer;
    CommandResult result;
    bool eof = false, ended = false, timed_out = false;
};

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv)
{
    Pipe out;
    if (!make_pipe(out))
        return {-1, pipe_error()};
    pid_t pid;
    try {
        pid = PosixProcessLauncher().start({.argv = argv, .output_fd = out.write.get()});
    } catch (const std::exception& error) {
        return {-1, error.what()};
    }
    auto read_end = std::move(out.read);
    out.write.reset();   // the child has its own copy
    CommandResult result;
    char buffer[1024];
    for (;;) {
        ssize_t n = read(read_end.get(), buffer, sizeof buffer);
        if (n > 0)
            result.output.append(buffer, n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    trim_newlines(result.output);
    return result;
}

void run_command_async(const ProcessContext& context, const std::vector<std::string>& argv,
                       std::string input, std::chrono::milliseconds timeout,
                       std::function<void(CommandResult)> done)
{
    auto& io = context.io;
    auto& launcher = context.launcher;
    auto run = std::make_shared<Run>(context, std::move(done));
    // The first pipe closes again if the second cannot be made.
    Pipe in, out;
    if (!make_pipe(in) || !make_pipe(out)) {
        boost::asio::post(io, [run, message = pipe_error()] { run->done({-1, message}); });
        return;
    }
    pid_t pid;
    try {
        pid = launcher.start({.argv = argv, .input_fd = in.read.get(),
                              .output_fd = out.write.get()});
        // The child has its own copies of its ends, which close here.
        run->input.assign(in.write.release());
        run->output.assign(out.read.release());
    } catch (const std::exception& error) {
        boost::asio::post(io, [run, message = std::string(error.what())] {
            run->done({-1, message});
        });
        return;
    }
    run->data = std::move(input);
    boost::asio::async_write(run->input, boost::asio::buffer(run->data),
                             [run](const boost::system::error_code&, std::size_t) {
                                 boost::system::error_code ignored;
                                 run->input.close(ignored);
                             });
    run->read();
    context.reaper.watch(pid, [run](int status) {
        run->ended = true;
        run->result.status = run->timed_out || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
        run->finish();
    });
    // The timer is the run's: a weak reference, so that it does not keep
    // the run alive.
    std::weak_ptr<Run> weak = run;
    context.clock.wait_for(*run->timer, timeout, [weak, pid, &launcher] {
        auto run = weak.lock();
        if (!run || run->ended)
            return;
        run->timed_out = true;
        launcher.signal(pid, SIGKILL);
    });
}

}  // namespace re6st
