// Diffie-Hellman parameters for OpenVPN's --dh, which re6st-conf writes.
#pragma once

#include <string>

namespace re6st {

// The RFC 7919 ffdhe2048 group as PEM "DH PARAMETERS" (PKCS#3).
std::string ffdhe2048_pem();

}  // namespace re6st
