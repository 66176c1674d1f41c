// The registry's CA: turns a node's CSR into a certificate for the prefix the
// registry allocated it.
#pragma once

#include "common/certificate.hpp"
#include "common/certificate_request.hpp"
#include "common/private_key.hpp"

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace re6st {

class CertificateAuthority {
public:
    // How long before its issue a certificate is already valid, so that a
    // peer whose clock lags accepts a fresh certificate.
    static constexpr std::chrono::seconds clock_skew = std::chrono::hours(1);
    // Smallest RSA key accepted in a CSR.
    static constexpr int min_key_bits = 2048;

    // Throws CryptoError unless `key` is the key of `ca` and `ca` carries
    // basicConstraints CA:TRUE.
    CertificateAuthority(Certificate ca, PrivateKey key);

    const Certificate& certificate() const { return ca_; }

    // X.509 v3 signed with SHA-256: a random positive serial of 127 bits (the
    // top one set, 126 from the CSPRNG), the CSR's subject with its CN (all of
    // them) replaced by `cn`, the CA's subject as issuer, the CSR's public key,
    // valid from `now - clock_skew` to `now + validity` (`now` defaults to the
    // system clock), extensions basicConstraints=critical,CA:FALSE,
    // keyUsage=critical,digitalSignature,keyEncipherment,
    // extendedKeyUsage=serverAuth,clientAuth, subject and authority key ids.
    // Refuses (CryptoError) a CSR whose signature does not verify or whose key
    // is not RSA of at least min_key_bits.
    Certificate sign(const CertificateRequest& csr, const std::string& cn,
                     std::chrono::seconds validity,
                     std::optional<std::time_t> now = {}) const;

    // The CA key's signature of `data` (PrivateKey::sign_sha256), which
    // anyone holding the CA certificate can check.
    std::string sign_data(std::string_view data) const { return key_.sign_sha256(data); }

private:
    Certificate ca_;
    PrivateKey key_;
};

}  // namespace re6st
