// RSA encryption through EVP_PKEY_encrypt/decrypt. PKCS#1 v1.5 is what the
// original protocol uses; its padding-oracle weakness does not apply here, as
// only a node decrypts, with its own key, what the registry sent it.
#include "common/rsa_cipher.hpp"

#include <openssl/rsa.h>

namespace re6st {

namespace {

using Init = int (*)(EVP_PKEY_CTX*);
using Run = int (*)(EVP_PKEY_CTX*, unsigned char*, std::size_t*, const unsigned char*,
                    std::size_t);

std::string pkcs1_v15(EVP_PKEY* key, std::string_view input, Init init, Run run,
                      const char* what)
{
    if (!key || EVP_PKEY_is_a(key, "RSA") != 1)
        throw CryptoError(std::string(what) + ": not an RSA key");
    openssl::PkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    std::size_t size = 0;
    if (!context || init(context.get()) <= 0
        || EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING) <= 0
        || run(context.get(), nullptr, &size, in, input.size()) <= 0)
        throw openssl_error(what);
    std::string output(size, '\0');
    if (run(context.get(), reinterpret_cast<unsigned char*>(output.data()), &size, in,
            input.size()) <= 0)
        throw openssl_error(what);
    output.resize(size);
    return output;
}

}  // namespace

std::string rsa_encrypt(const Certificate& recipient, std::string_view plaintext)
{
    return pkcs1_v15(X509_get0_pubkey(recipient.get()), plaintext, EVP_PKEY_encrypt_init,
                     EVP_PKEY_encrypt, "cannot RSA-encrypt to the certificate");
}

std::string rsa_decrypt(const PrivateKey& key, std::string_view ciphertext)
{
    return pkcs1_v15(key.get(), ciphertext, EVP_PKEY_decrypt_init, EVP_PKEY_decrypt,
                     "cannot RSA-decrypt the message");
}

}  // namespace re6st
