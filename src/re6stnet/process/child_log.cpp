// Copying a child's output into its log file.
#include "re6stnet/process/child_log.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <fcntl.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace re6st {

namespace {

UniqueFd open_log(const std::string& path)
{
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
    if (!fd)
        throw std::system_error(errno, std::generic_category(), "cannot open log file " + path);
    return fd;
}

}  // namespace

// Reads one pipe until EOF; owns itself through the pending read.
struct ChildLog::Reader : std::enable_shared_from_this<Reader> {
    Reader(boost::asio::io_context& io, int fd, ChildLog& log, std::shared_ptr<bool> alive)
        : pipe(io, fd), log(log), alive(std::move(alive))
    {
    }

    void read()
    {
        pipe.async_read_some(boost::asio::buffer(buffer),
                             [self = shared_from_this()](const boost::system::error_code& error,
                                                         std::size_t size) {
                                 if (!*self->alive)
                                     return;
                                 if (size)
                                     self->log.write(self->buffer.data(), size);
                                 if (!error)
                                     self->read();
                             });
    }

    boost::asio::posix::stream_descriptor pipe;
    ChildLog& log;
    std::shared_ptr<bool> alive;   // false once the ChildLog is gone
    std::array<char, 4096> buffer;
};

ChildLog::ChildLog(boost::asio::io_context& io, std::string path)
    : io_(io), path_(std::move(path)), file_(open_log(path_))
{
}

ChildLog::~ChildLog()
{
    *alive_ = false;
}

UniqueFd ChildLog::attach()
{
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe for " + path_);
    std::make_shared<Reader>(io_, ends[0], *this, alive_)->read();
    return UniqueFd(ends[1]);
}

void ChildLog::reopen()
{
    file_ = open_log(path_);
}

void ChildLog::write(const char* data, std::size_t size)
{
    while (size > 0) {
        ssize_t n = ::write(file_.get(), data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;   // a full disk must not stop the daemon; output is lost
        data += n;
        size -= n;
    }
}

}  // namespace re6st
