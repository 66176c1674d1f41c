// A throw-away CA for the registry's tests, made once per test program with
// the openssl tool as SPEC A.2 tells operators to: serial 0x120010db80042,
// network 2001:db8:42::/48. Also node keys and their CSRs.
#pragma once

#include "common/certificate_authority.hpp"
#include "common/certificate_request.hpp"
#include "common/private_key.hpp"
#include "support/temp_dir.hpp"

#include <string>

namespace re6st::test {

struct TestCa {
    std::string certificate_path;
    std::string key_path;

    static const TestCa& get();
    CertificateAuthority authority() const;
};

struct NodeIdentity {
    PrivateKey key;
    std::string csr_pem;
};
// A fresh RSA key of `bits` and its CSR with subject O=re6st-test, CN=node.
NodeIdentity make_node(int bits = 2048);

}  // namespace re6st::test
