// An OpenVPN process the daemon owns.
#include "re6stnet/openvpn/openvpn_process.hpp"

namespace re6st {

OpenVpnProcess::OpenVpnProcess(boost::asio::io_context& io, std::string interface,
                               std::string log_file, HookChannel::Handler on_hook)
    : io_(io), interface_(std::move(interface)), log_(io, std::move(log_file)),
      on_hook_(std::move(on_hook))
{
}

PreparedProcess OpenVpnProcess::prepare(std::vector<std::string> argv)
{
    hooks_ = std::make_unique<HookChannel>(io_, interface_, on_hook_);
    PreparedProcess process;
    process.spec.argv = std::move(argv);
    process.child_ends.push_back(log_.attach());
    process.spec.output_fd = process.child_ends.back().get();
    process.child_ends.push_back(hooks_->take_child_end());
    process.spec.extra_fds = {process.child_ends.back().get()};
    return process;
}

}  // namespace re6st
