// Loading and checking the node's certificate files.
#include "re6stnet/node_identity.hpp"

#include <stdexcept>

namespace re6st {

NodeIdentity NodeIdentity::load(const OpenSslTool& openssl, const std::string& ca_file,
                                const std::string& cert_file, const std::string& key_file)
{
    // Four runs of openssl: a node's start-up is mostly them.
    auto cert = openssl.fields(cert_file);
    if (!openssl.key_matches(cert.public_key, key_file))
        throw std::runtime_error(cert_file + " does not match the key " + key_file);
    if (auto why = openssl.verify(cert_file, ca_file, false); !why.empty())
        throw std::runtime_error(cert_file + " is not valid for the CA " + ca_file + ": " + why);
    auto ca = openssl.fields(ca_file, false);
    Network network = [&] {
        try {
            return Network::from_ca_serial(ca.serial);
        } catch (const AddressError& error) {
            throw std::runtime_error(ca_file + ": " + error.what());
        }
    }();
    try {
        auto prefix = bits_from_cn(cert.subject_cn);
        return NodeIdentity{network,
                            prefix,
                            network.node_address(prefix),
                            network.node_subnet(prefix),
                            cert.dates,
                            ca.dates,
                            ca.public_key};
    } catch (const AddressError& error) {
        throw std::runtime_error(cert_file + ": " + error.what());
    }
}

}  // namespace re6st
