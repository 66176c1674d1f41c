// Loading and checking the node's certificate files.
#include "re6stnet/node_identity.hpp"

#include <stdexcept>

namespace re6st {

NodeIdentity NodeIdentity::load(const std::string& ca_file, const std::string& cert_file,
                                const std::string& key_file)
{
    auto ca = Certificate::load(ca_file);
    auto cert = Certificate::load(cert_file);
    auto key = PrivateKey::load(key_file);
    if (!cert.matches_key(key))
        throw std::runtime_error(cert_file + " does not match the key " + key_file);
    if (auto why = verify_certificate(cert, ca); !why.empty())
        throw std::runtime_error(cert_file + " is not valid for the CA " + ca_file + ": " + why);
    Network network = [&] {
        try {
            return Network::from_ca_serial(ca.serial());
        } catch (const AddressError& error) {
            throw std::runtime_error(ca_file + ": " + error.what());
        }
    }();
    std::string prefix;
    try {
        prefix = bits_from_cn(cert.subject_cn());
        network.node_subnet(prefix);   // fits the network
    } catch (const std::exception& error) {
        throw std::runtime_error(cert_file + ": " + error.what());
    }
    auto address = network.node_address(prefix);
    auto subnet = network.node_subnet(prefix);
    return NodeIdentity{std::move(ca), std::move(cert), std::move(key), network,
                        prefix,        address,         subnet};
}

}  // namespace re6st
