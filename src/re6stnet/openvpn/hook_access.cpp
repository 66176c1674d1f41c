// Whether OpenVPN's unprivileged user can run the hook scripts.
#include "re6stnet/openvpn/hook_access.hpp"

#include <pwd.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace re6st {

namespace {

// The permission bits that apply to `user` for a file of this status.
mode_t bits_for(const struct stat& st, const HookUser& user)
{
    if (st.st_uid == user.uid)
        return (st.st_mode >> 6) & 7;
    if (st.st_gid == user.gid)
        return (st.st_mode >> 3) & 7;
    return st.st_mode & 7;
}

struct stat status_of(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw std::runtime_error("hook " + path + ": " + std::strerror(errno));
    return st;
}

std::string refusal(const std::string& what, const struct stat& st, const HookUser& user)
{
    std::ostringstream line;
    line << "OpenVPN runs the hook scripts as user " << user.name << ", who cannot "
         << what << " (mode 0" << std::oct << (st.st_mode & 07777)
         << "); make it accessible, or give --hook-dir a copy of the hooks that is";
    return line.str();
}

}  // namespace

HookUser hook_user(const std::string& name)
{
    errno = 0;
    const struct passwd* entry = ::getpwnam(name.c_str());
    if (!entry)
        throw std::runtime_error("no user " + name + " to run OpenVPN as"
                                 + (errno ? std::string(": ") + std::strerror(errno) : ""));
    return {name, entry->pw_uid, entry->pw_gid};
}

void check_hooks_runnable(const std::string& hook_dir, const HookUser& user)
{
    namespace fs = std::filesystem;
    auto dir = fs::absolute(fs::path(hook_dir)).lexically_normal();
    // Every directory from the root down to the hooks' own must be searchable.
    std::vector<fs::path> ancestors{dir};
    while (ancestors.back() != ancestors.back().root_path())
        ancestors.push_back(ancestors.back().parent_path());
    for (auto at = ancestors.rbegin(); at != ancestors.rend(); ++at) {
        auto st = status_of(at->string());
        if (!(bits_for(st, user) & 1))
            throw std::runtime_error(refusal("enter " + at->string(), st, user));
    }
    for (const char* hook : {"ovpn-server", "ovpn-client"}) {
        auto path = (dir / hook).string();
        auto st = status_of(path);
        if ((bits_for(st, user) & 5) != 5)
            throw std::runtime_error(refusal("read and run " + path, st, user));
    }
}

}  // namespace re6st
