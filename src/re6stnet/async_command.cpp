// A short command run from the event loop.
#include "re6stnet/async_command.hpp"

#include "common/unique_fd.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <sys/wait.h>

#include <array>
#include <csignal>
#include <memory>

namespace re6st {

namespace {

struct Run : std::enable_shared_from_this<Run> {
    Run(boost::asio::io_context& io, std::function<void(CommandResult)> done)
        : input(io), output(io), timer(io), done(std::move(done))
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
        timer.cancel();
        while (!result.output.empty() && result.output.back() == '\n')
            result.output.pop_back();
        auto callback = std::move(done);
        callback(std::move(result));
    }

    boost::asio::posix::stream_descriptor input, output;
    boost::asio::steady_timer timer;
    std::function<void(CommandResult)> done;
    std::string data;
    std::array<char, 4096> buffer;
    CommandResult result;
    bool eof = false, ended = false, timed_out = false;
};

}  // namespace

void run_command_async(boost::asio::io_context& io, ProcessLauncher& launcher,
                       ChildReaper& reaper, const std::vector<std::string>& argv,
                       std::string input, std::chrono::milliseconds timeout,
                       std::function<void(CommandResult)> done)
{
    auto run = std::make_shared<Run>(io, std::move(done));
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        boost::asio::post(io, [run] { run->done({-1, "pipe failed"}); });
        return;
    }
    UniqueFd child_in(in[0]), child_out(out[1]);
    run->input.assign(in[1]);
    run->output.assign(out[0]);
    pid_t pid;
    try {
        pid = launcher.start({.argv = argv, .input_fd = child_in.get(),
                              .output_fd = child_out.get()});
    } catch (const std::exception& error) {
        boost::asio::post(io, [run, message = std::string(error.what())] {
            run->done({-1, message});
        });
        return;
    }
    child_in.reset();
    child_out.reset();
    run->data = std::move(input);
    boost::asio::async_write(run->input, boost::asio::buffer(run->data),
                             [run](const boost::system::error_code&, std::size_t) {
                                 boost::system::error_code ignored;
                                 run->input.close(ignored);
                             });
    run->read();
    reaper.watch(pid, [run](int status) {
        run->ended = true;
        run->result.status = run->timed_out || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
        run->finish();
    });
    run->timer.expires_after(timeout);
    run->timer.async_wait([run, pid, &launcher](const boost::system::error_code& error) {
        if (error || run->ended)
            return;
        run->timed_out = true;
        launcher.signal(pid, SIGKILL);
    });
}

}  // namespace re6st
