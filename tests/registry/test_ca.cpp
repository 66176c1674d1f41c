// A throw-away CA made with the openssl tool.
#include "test_ca.hpp"

#include "support/openssl_cli.hpp"

namespace re6st::test {

const TestCa& TestCa::get()
{
    static TempDir scratch;
    static TestCa ca = [] {
        TestCa made{scratch / "ca.crt", scratch / "ca.key"};
        openssl_rsa_key(made.key_path);
        openssl_ca(made.key_path, made.certificate_path);
        return made;
    }();
    return ca;
}

CertificateAuthority TestCa::authority() const
{
    return CertificateAuthority(Certificate::load(certificate_path), PrivateKey::load(key_path));
}

NodeIdentity make_node(int bits)
{
    auto key = PrivateKey::generate_rsa(bits);
    auto csr = CertificateRequest::create(key, {{"O", "re6st-test"}, {"CN", "node"}});
    return {std::move(key), csr.to_pem()};
}

}  // namespace re6st::test
