// Taps that outlive their OpenVPN process.
#include "re6stnet/openvpn/persistent_tap.hpp"

#include "common/log.hpp"

#include <fstream>

namespace re6st {

namespace {

constexpr unsigned iff_persist = 0x0800;   // <linux/if_tun.h>

}  // namespace

PersistentTap::PersistentTap(CommandRunner run, std::string name, std::string sys_class_net)
    : run_(std::move(run)), name_(std::move(name)), sys_class_net_(std::move(sys_class_net))
{
}

PersistentTap::~PersistentTap()
{
    remove();
}

std::vector<std::string> PersistentTap::add_command(const std::string& name)
{
    return {"ip", "tuntap", "add", "dev", name, "mode", "tap"};
}

std::vector<std::string> PersistentTap::delete_command(const std::string& name)
{
    return {"ip", "link", "delete", "dev", name};
}

// `ip tuntap add` refuses a tap that exists, persistent or not.
bool PersistentTap::persistent() const
{
    std::ifstream file(sys_class_net_ + "/" + name_ + "/tun_flags");
    unsigned flags = 0;
    return file >> std::hex >> flags && (flags & iff_persist);
}

bool PersistentTap::keep()
{
    if (persistent()) {
        kept_ = true;
        return true;
    }
    auto result = run_(add_command(name_));
    kept_ = result.status == 0;
    if (!kept_)
        log::warning("cannot make the tap ", name_, " persistent (", result.output,
                     "): replacing its OpenVPN process will drop the routes through it");
    return kept_;
}

void PersistentTap::remove()
{
    if (!kept_)
        return;
    kept_ = false;
    auto result = run_(delete_command(name_));
    if (result.status != 0)
        log::warning("cannot delete the tap ", name_, ": ", result.output);
}

}  // namespace re6st
