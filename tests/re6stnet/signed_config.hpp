// Network configurations signed as the registry signs them, by a CA of the
// test's own, with the openssl tool.
#pragma once

#include "common/network_parameters.hpp"
#include "support/openssl_cli.hpp"
#include "support/temp_dir.hpp"

#include <xmlrpc-c/base64.hpp>

#include <cstdint>
#include <string>

namespace re6st::test {

class TestCa {
public:
    // NAME.key and NAME.crt in `dir`.
    TestCa(const TempDir& dir, const std::string& name = "ca")
        : key(dir / (name + ".key")), cert(dir / (name + ".crt")), dir_(dir), name_(name)
    {
        openssl_rsa_key(key);
        openssl_ca(key, cert);
    }

    // What getNetworkConfig answers: `document`, then its signature line.
    std::string sign(const std::string& document) const
    {
        auto data = dir_.write(name_ + "-signed.txt", document);
        auto signature = dir_ / (name_ + "-signed.sig");
        openssl_tool({"dgst", "-sha256", "-sign", key, "-out", signature, data});
        auto bytes = dir_.read(name_ + "-signed.sig");
        return document + "signature "
            + xmlrpc_c::base64FromBytes(std::vector<unsigned char>(bytes.begin(), bytes.end()),
                                        xmlrpc_c::NEWLINE_NO)
            + "\n";
    }
    std::string sign(std::int64_t version, const NetworkParameters& parameters) const
    {
        return sign(encode_network_config(version, parameters));
    }

    const std::string key, cert;

private:
    const TempDir& dir_;
    std::string name_;
};

}  // namespace re6st::test
