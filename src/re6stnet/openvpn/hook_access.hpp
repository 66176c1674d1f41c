// Whether OpenVPN, once it has dropped privileges, can run the hook scripts.
#pragma once

#include <string>
#include <sys/types.h>

namespace re6st {

// The user OpenVPN runs as (its --user and --group).
struct HookUser {
    std::string name;
    uid_t uid;
    gid_t gid;
};

// The user named `name`, from the password database; throws if unknown.
HookUser hook_user(const std::string& name);

// Throws std::runtime_error, one line naming the file or directory at fault
// and its mode, unless `user` can reach and run every script of `hook_dir`:
// each directory on the way searchable, each script readable and executable
// (by the permission bits; ACLs and supplementary groups are not consulted).
// A server's --client-connect runs after OpenVPN became `user`: without
// this check, a build tree under a private directory (such as /root) makes
// every server refuse every client with AUTH_FAILED, and nothing says why.
void check_hooks_runnable(const std::string& hook_dir, const HookUser& user);

}  // namespace re6st
