// A throw-away CA made with the openssl tool.
#include "test_ca.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace re6st::test {

ScratchDir::ScratchDir()
{
    std::string pattern =
        (std::filesystem::temp_directory_path() / "re6st-registry-test.XXXXXX").string();
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

ScratchDir::~ScratchDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

const TestCa& TestCa::get()
{
    static ScratchDir scratch;
    static TestCa ca = [] {
        TestCa made{scratch / "", scratch / "ca.crt", scratch / "ca.key"};
        auto command = "openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30"
                       " -subj /O=re6st-test/CN=re6st-test-ca -set_serial 0x120010db80042"
                       " -keyout " + made.key_path + " -out " + made.certificate_path
                       + " 2>/dev/null";
        if (std::system(command.c_str()) != 0)
            throw std::runtime_error("openssl req failed: " + command);
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
