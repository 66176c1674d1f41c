// Receiving the hook scripts' reports.
#include "re6stnet/openvpn/hook_channel.hpp"

#include "common/log.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <system_error>

namespace re6st {

struct HookChannel::Reader : std::enable_shared_from_this<Reader> {
    Reader(boost::asio::io_context& io, int fd, std::string owner, Handler handler)
        : socket(io, boost::asio::local::datagram_protocol(), fd), owner(std::move(owner)),
          handler(std::move(handler))
    {
    }

    void receive()
    {
        socket.async_receive(boost::asio::buffer(buffer),
                             [self = shared_from_this()](const boost::system::error_code& error,
                                                         std::size_t size) {
                                 if (error || !self->handler)
                                     return;
                                 self->deliver(std::string_view(self->buffer.data(), size));
                                 self->receive();
                             });
    }

    void deliver(std::string_view datagram)
    {
        HookMessage message;
        try {
            message = parse_hook_message(datagram);
        } catch (const HookMessageError& error) {
            log::warning(owner, ": ", error.what());
            return;
        }
        log::trace(owner, ": hook reported \"", datagram.substr(0, datagram.size() - 1), "\"");
        handler(message);
    }

    boost::asio::local::datagram_protocol::socket socket;
    std::string owner;
    Handler handler;
    std::array<char, 512> buffer;   // reports are a few dozen bytes
};

HookChannel::HookChannel(boost::asio::io_context& io, std::string owner, Handler handler)
{
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, ends) != 0)
        throw std::system_error(errno, std::generic_category(), "socketpair for " + owner);
    child_end_.reset(ends[1]);
    reader_ = std::make_shared<Reader>(io, ends[0], std::move(owner), std::move(handler));
    reader_->receive();
}

HookChannel::~HookChannel()
{
    reader_->handler = nullptr;
    boost::system::error_code ignored;
    reader_->socket.close(ignored);
}

UniqueFd HookChannel::take_child_end()
{
    return std::move(child_end_);
}

}  // namespace re6st
