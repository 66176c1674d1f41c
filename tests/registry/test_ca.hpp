// A throw-away CA for the registry's tests, made once per test program with
// the openssl tool as an operator would (SPEC A.2): serial 0x120010db80042,
// network 2001:db8:42::/48. Also node keys and their CSRs.
#pragma once

#include "common/certificate_authority.hpp"
#include "common/certificate_request.hpp"
#include "common/private_key.hpp"

#include <string>

namespace re6st::test {

struct TestCa {
    std::string directory;
    std::string certificate_path;
    std::string key_path;

    static const TestCa& get();
    CertificateAuthority authority() const;
};

struct NodeIdentity {
    PrivateKey key;
    std::string csr_pem;
};
// A fresh RSA key of `bits` and its CSR with subject O=re6st-test.
NodeIdentity make_node(int bits = 2048);

// A scratch directory removed at destruction.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

}  // namespace re6st::test
