// The revoked certificates as OpenVPN's `--crl-verify DIR dir` reads them:
// one empty file per revoked serial, named in decimal, which OpenVPN looks
// up at every TLS handshake and renegotiation. Unlike an X.509 CRL it has
// no nextUpdate: a registry down for months never makes valid peers
// refused. OpenVPN looks after dropping its privileges to nobody, so the
// directory is 0755 and its files 0644; one it cannot open is no
// revocation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace re6st {

// A serial as the network configuration carries it (upper-case hex,
// is_canonical_serial) in decimal, as OpenVPN names it: "0A" -> "10".
// Throws std::invalid_argument on anything but hex.
std::string decimal_serial(std::string_view hex);

// Makes `dir` (created if need be) hold exactly one file per serial of
// `revoked`: new ones are added before old ones go, so a serial still
// revoked is never missing. Returns how many were added. Throws
// std::runtime_error naming the directory on a file-system error.
unsigned sync_revoked_dir(const std::string& dir, const std::vector<std::string>& revoked);

// The first of `dir` and its parents that others (OpenVPN, as nobody) may
// not search, where OpenVPN would find no serial revoked; empty when none.
std::string hidden_from_others(const std::string& dir);

}  // namespace re6st
