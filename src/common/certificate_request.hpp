// A certificate signing request: made by re6st-conf for a new node, checked
// and signed by the registry.
#pragma once

#include "common/openssl_handle.hpp"
#include "common/private_key.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re6st {

class CertificateRequest {
public:
    // Subject fields as (short name, UTF-8 value) pairs in order, e.g.
    // {"O", "Acme"}, {"CN", "x"}; signed with SHA-256 by `key`.
    static CertificateRequest create(
        const PrivateKey& key,
        const std::vector<std::pair<std::string, std::string>>& subject);
    static CertificateRequest from_pem(std::string_view pem);

    std::string to_pem() const;
    bool signature_valid() const;   // signed by the key it carries
    bool key_is_rsa() const;
    int key_bits() const;           // 0 when the key cannot be decoded
    // The public key, DER-encoded (SubjectPublicKeyInfo); empty when it
    // cannot be decoded.
    std::vector<std::uint8_t> public_key_der() const;
    // The one subject CN, as UTF-8; throws CryptoError if none or several.
    std::string subject_cn() const;
    X509_REQ* get() const { return request_.get(); }

private:
    explicit CertificateRequest(openssl::X509ReqPtr request);

    openssl::X509ReqPtr request_;
};

}  // namespace re6st
