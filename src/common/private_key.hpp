// A private key (in practice RSA): generated for a new node, loaded from the
// files the daemon and the registry are given, written as PKCS#8 PEM.
#pragma once

#include "common/openssl_handle.hpp"

#include <string>
#include <string_view>

namespace re6st {

class PrivateKey {
public:
    static PrivateKey generate_rsa(int bits = 2048);
    // Unencrypted PEM (PKCS#8 or the traditional "RSA PRIVATE KEY"); an
    // encrypted key is refused, never prompted for.
    static PrivateKey from_pem(std::string_view pem);
    static PrivateKey load(const std::string& path);   // errors name the file

    explicit PrivateKey(openssl::PkeyPtr key);   // takes ownership; not null

    // Copies share the same immutable key.
    PrivateKey(const PrivateKey& other);
    PrivateKey& operator=(const PrivateKey& other);
    PrivateKey(PrivateKey&&) noexcept = default;
    PrivateKey& operator=(PrivateKey&&) noexcept = default;

    std::string to_pem() const;       // PKCS#8 "PRIVATE KEY", unencrypted
    std::string public_pem() const;   // "PUBLIC KEY" (SubjectPublicKeyInfo)
    // The signature of `data` with a SHA-256 digest (RSA: PKCS#1 v1.5), as
    // `openssl dgst -sha256 -sign` makes it. Throws CryptoError.
    std::string sign_sha256(std::string_view data) const;
    bool is_rsa() const;
    int bits() const;
    EVP_PKEY* get() const { return key_.get(); }

private:
    openssl::PkeyPtr key_;
};

}  // namespace re6st
