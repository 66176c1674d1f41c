// The reliable channel from one OpenVPN process's hook scripts to the daemon:
// a unix datagram socket pair. The child's end becomes its fd 3, which the
// hook scripts inherit even after OpenVPN dropped privileges; each report is
// one datagram, so reports from concurrent hooks never mix.
#pragma once

#include "common/unique_fd.hpp"
#include "re6stnet/openvpn/hook_message.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/datagram_protocol.hpp>

#include <array>
#include <functional>
#include <memory>

namespace re6st {

class HookChannel {
public:
    using Handler = std::function<void(const HookMessage&)>;

    // `handler` gets every well-formed report; malformed ones are logged.
    HookChannel(boost::asio::io_context& io, std::string owner, Handler handler);
    ~HookChannel();
    HookChannel(const HookChannel&) = delete;
    HookChannel& operator=(const HookChannel&) = delete;

    // The end to hand to the OpenVPN process (ProcessSpec::extra_fds[0]);
    // taken once.
    UniqueFd take_child_end();

private:
    struct Reader;
    std::shared_ptr<Reader> reader_;
    UniqueFd child_end_;
};

}  // namespace re6st
