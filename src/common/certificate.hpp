// An X.509 certificate: the CA's (whose serial gives the network) or a node's
// (whose subject CN gives its prefix), and its verification against the CA.
#pragma once

#include "common/openssl_handle.hpp"
#include "common/private_key.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re6st {

class Certificate {
public:
    static Certificate from_pem(std::string_view pem);
    static Certificate load(const std::string& path);   // errors name the file

    explicit Certificate(openssl::X509Ptr certificate);   // takes ownership; not null

    // Copies share the same immutable certificate.
    Certificate(const Certificate& other);
    Certificate& operator=(const Certificate& other);
    Certificate(Certificate&&) noexcept = default;
    Certificate& operator=(Certificate&&) noexcept = default;

    std::string to_pem() const;
    // Big-endian magnitude, no leading zero byte (empty for serial 0).
    std::vector<std::uint8_t> serial() const;
    std::string serial_hex() const;   // lowercase, no leading zeros ("0" for 0)
    // The one subject CN, as UTF-8; throws if there is none or several.
    std::string subject_cn() const;
    std::time_t not_before() const;
    std::time_t not_after() const;
    bool matches_key(const PrivateKey& key) const;   // same public key
    // The public key, DER-encoded (SubjectPublicKeyInfo): equal keys, equal bytes.
    std::vector<std::uint8_t> public_key_der() const;
    // The subject, one line (RFC 2253), to compare two certificates' subjects.
    std::string subject() const;
    // The digest of the DER certificate as `openssl x509 -fingerprint`
    // prints it: upper-case hex pairs joined by ':'. `digest` is an OpenSSL
    // digest name ("sha256", "sha1"); an unknown one is a CryptoError.
    std::string fingerprint(const std::string& digest) const;
    bool is_ca() const;                               // basicConstraints CA:TRUE
    X509* get() const { return certificate_.get(); }

private:
    openssl::X509Ptr certificate_;
};

// The one CN of `name`, as UTF-8; throws CryptoError if there is none or
// several (a second CN would let two readers of the same certificate
// disagree on which prefix it grants). `what` names the holder in messages.
std::string single_common_name(const X509_NAME* name, const std::string& what);

// `key`'s public part, DER-encoded (SubjectPublicKeyInfo); empty for null.
std::vector<std::uint8_t> public_key_der(const EVP_PKEY* key);

// Verifies the chain cert → ca with `ca` as the only trust anchor, at time
// `at` (default: now). Returns an empty string when valid, else OpenSSL's
// reason ("certificate has expired").
std::string verify_certificate(const Certificate& cert, const Certificate& ca,
                               std::optional<std::time_t> at = {});

}  // namespace re6st
