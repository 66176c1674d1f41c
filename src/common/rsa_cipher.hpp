// RSA PKCS#1 v1.5 encryption to a certificate's key, as
// `openssl pkeyutl -encrypt -certin`: how the registry sends a node its
// bootstrap peer so that only the certificate's owner can read it.
#pragma once

#include "common/certificate.hpp"
#include "common/private_key.hpp"

#include <string>
#include <string_view>

namespace re6st {

// At most (key bytes - 11) of plaintext; the ciphertext is key-sized.
std::string rsa_encrypt(const Certificate& recipient, std::string_view plaintext);
std::string rsa_decrypt(const PrivateKey& key, std::string_view ciphertext);

}  // namespace re6st
