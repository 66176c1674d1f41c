// Taps that outlive their OpenVPN process.
#include "re6stnet/openvpn/persistent_tap.hpp"

#include "common/log.hpp"

#include <fstream>
#include <system_error>

#include <sys/socket.h>

namespace re6st {

namespace {

constexpr unsigned iff_persist = 0x0800;   // <linux/if_tun.h>

}  // namespace

TapSweeper::TapSweeper(const ProcessContext& context)
{
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0)
        throw std::system_error(errno, std::generic_category(), "socketpair");
    socket_ = UniqueFd(ends[0]);
    PreparedProcess process;
    process.child_ends.emplace_back(ends[1]);
    process.spec.argv = command();
    process.spec.input_fd = ends[1];
    shell_ = std::make_unique<Child>(context, "tap sweeper", std::move(process),
                                     [](int) {});
}

std::vector<std::string> TapSweeper::command()
{
    return {"sh", "-c",
            "trap '' TERM INT HUP; taps=' '\n"
            "while IFS= read -r line; do\n"
            "  case $line in\n"
            "  +*) taps=\"$taps${line#+} \" ;;\n"
            "  -*) left=' '; for t in $taps; do [ \"$t\" = \"${line#-}\" ] || left=\"$left$t \"; done\n"
            "      taps=$left ;;\n"
            "  esac\n"
            "done\n"
            // OpenVPN quits once the daemon has gone, a UDP server 2 s
            // later; deleted under it, a tap hangs it: each tap is deleted
            // once no process holds it (its carrier drops). One still held
            // after 5 s is a new daemon's, started meanwhile: it stays.
            "held() { [ \"$(cat /sys/class/net/$1/carrier 2>/dev/null)\" = 1 ]; }\n"
            "for t in $taps; do\n"
            "  n=0\n"
            "  while held \"$t\" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done\n"
            "  held \"$t\" || ip link delete dev \"$t\" 2>/dev/null\n"
            "done\n"};
}

void TapSweeper::tell(const std::string& line)
{
    if (!socket_)
        return;
    auto text = line + "\n";
    if (send(socket_.get(), text.data(), text.size(), MSG_NOSIGNAL) != ssize_t(text.size()))
        log::debug("the tap sweeper did not take '", line, "'");
}

void TapSweeper::kept(const std::string& tap) { tell("+" + tap); }
void TapSweeper::removed(const std::string& tap) { tell("-" + tap); }
void TapSweeper::close() { socket_ = UniqueFd(); }

PersistentTap::PersistentTap(CommandRunner run, std::string name, TapSweeper* sweeper,
                             std::string sys_class_net)
    : run_(std::move(run)), name_(std::move(name)), sweeper_(sweeper),
      sys_class_net_(std::move(sys_class_net))
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

// A persistent tap no process holds has no carrier (reading it fails if
// the tap is down).
bool PersistentTap::held() const
{
    std::ifstream file(sys_class_net_ + "/" + name_ + "/carrier");
    int carrier = 0;
    return file >> carrier && carrier == 1;
}

bool PersistentTap::keep()
{
    bool reuse = persistent();
    // A tap a killed daemon left keeps the kernel routes its babeld had
    // installed, which a new babeld does not know of: it is made anew. One
    // still held belongs to an OpenVPN process of that daemon still ending;
    // it is taken over as it is.
    if (reuse && !taken_ && !held()) {
        log::warning("deleting the tap ", name_, " left by a previous run");
        auto result = run_(delete_command(name_));
        if (result.status != 0)
            log::warning("cannot delete the tap ", name_, ": ", result.output);
        reuse = result.status != 0 && persistent();
    }
    taken_ = true;
    if (reuse) {
        kept_ = true;
    } else {
        auto result = run_(add_command(name_));
        kept_ = result.status == 0;
        if (!kept_)
            log::warning("cannot make the tap ", name_, " persistent (", result.output,
                         "): replacing its OpenVPN process will drop the routes through it");
    }
    if (kept_ && sweeper_)
        sweeper_->kept(name_);
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
    if (sweeper_)
        sweeper_->removed(name_);
}

}  // namespace re6st
