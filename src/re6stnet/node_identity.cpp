// Loading and checking the node's certificate files.
#include "re6stnet/node_identity.hpp"

#include <stdexcept>

namespace re6st {

NodeIdentity NodeIdentity::load(const OpenSslTool& openssl, const std::string& ca_file,
                                const std::string& cert_file, const std::string& key_file)
{
    if (!openssl.matches_key(cert_file, key_file))
        throw std::runtime_error(cert_file + " does not match the key " + key_file);
    if (auto why = openssl.verify(cert_file, ca_file, false); !why.empty())
        throw std::runtime_error(cert_file + " is not valid for the CA " + ca_file + ": " + why);
    Network network = [&] {
        try {
            return Network::from_ca_serial(openssl.serial(ca_file));
        } catch (const AddressError& error) {
            throw std::runtime_error(ca_file + ": " + error.what());
        }
    }();
    try {
        auto prefix = bits_from_cn(openssl.subject_cn(cert_file));
        return NodeIdentity{network,
                            prefix,
                            network.node_address(prefix),
                            network.node_subnet(prefix),
                            openssl.dates(cert_file),
                            openssl.dates(ca_file)};
    } catch (const AddressError& error) {
        throw std::runtime_error(cert_file + ": " + error.what());
    }
}

}  // namespace re6st
