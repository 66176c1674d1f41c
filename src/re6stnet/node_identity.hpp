// Who this node is, from the files re6st-conf wrote: the network from the CA
// serial, the node prefix from the certificate CN, hence the node address
// and subnet. Checks that the files belong together; their dates are read,
// not judged: an expired certificate is renewed, not refused.
#pragma once

#include "common/prefix.hpp"
#include "re6stnet/openssl_tool.hpp"

#include <string>

namespace re6st {

struct NodeIdentity {
    Network network{Ipv6Prefix()};
    std::string prefix;     // binary node prefix
    Ipv6Address address;
    Ipv6Prefix subnet;
    CertificateDates certificate_dates, ca_dates;
    std::string ca_public_key;   // PEM

    // Throws std::runtime_error naming the file at fault.
    static NodeIdentity load(const OpenSslTool& openssl, const std::string& ca_file,
                             const std::string& cert_file, const std::string& key_file);
};

}  // namespace re6st
