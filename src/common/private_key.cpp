// Private keys through OpenSSL 3's EVP_PKEY interface, which covers every key
// type and provider without the deprecated RSA_* calls.
#include "common/private_key.hpp"

#include "common/pem_file.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

namespace re6st {

namespace {

// The daemon and the registry start unattended: a passphrase request is an
// error, not a prompt on the terminal. `asked` records that one was needed.
int refuse_passphrase(char*, int, int, void* asked)
{
    *static_cast<bool*>(asked) = true;
    return -1;
}

}  // namespace

PrivateKey::PrivateKey(openssl::PkeyPtr key) : key_(std::move(key)) {}

PrivateKey::PrivateKey(const PrivateKey& other) : key_(openssl::share(other.key_.get())) {}

PrivateKey& PrivateKey::operator=(const PrivateKey& other)
{
    key_ = openssl::share(other.key_.get());
    return *this;
}

PrivateKey PrivateKey::generate_rsa(int bits)
{
    const std::string what = "cannot generate a " + std::to_string(bits) + "-bit RSA key";
    openssl::PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!context || EVP_PKEY_keygen_init(context.get()) <= 0
        || EVP_PKEY_CTX_set_rsa_keygen_bits(context.get(), bits) <= 0)
        throw openssl_error(what);
    EVP_PKEY* key = nullptr;
    if (EVP_PKEY_generate(context.get(), &key) <= 0)
        throw openssl_error(what);
    return PrivateKey(openssl::PkeyPtr(key));
}

std::string PrivateKey::sign_sha256(std::string_view data) const
{
    openssl::MdCtxPtr context(EVP_MD_CTX_new());
    std::size_t size = 0;
    if (!context
        || EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, key_.get(),
                                 nullptr)
               <= 0
        || EVP_DigestSign(context.get(), nullptr, &size,
                          reinterpret_cast<const unsigned char*>(data.data()), data.size())
               <= 0)
        throw openssl_error("cannot sign with the private key");
    std::string signature(size, '\0');
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size())
        <= 0)
        throw openssl_error("cannot sign with the private key");
    signature.resize(size);
    return signature;
}

PrivateKey PrivateKey::from_pem(std::string_view pem)
{
    auto bio = openssl::memory_bio(pem);
    bool asked = false;
    openssl::PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, &asked));
    if (!key && asked) {
        ERR_clear_error();
        throw CryptoError("encrypted private keys are not supported");
    }
    if (!key)
        throw openssl_error("no private key in PEM data");
    return PrivateKey(std::move(key));
}

PrivateKey PrivateKey::load(const std::string& path)
{
    return load_pem_file<PrivateKey>(path);
}

std::string PrivateKey::to_pem() const
{
    return openssl::write_to_string(
        [this](BIO* bio) {
            return PEM_write_bio_PKCS8PrivateKey(bio, key_.get(), nullptr, nullptr, 0,
                                                 nullptr, nullptr);
        },
        "cannot write the private key");
}

std::string PrivateKey::public_pem() const
{
    return openssl::write_to_string(
        [this](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key_.get()); },
        "cannot write the public key");
}

bool PrivateKey::is_rsa() const
{
    return EVP_PKEY_is_a(key_.get(), "RSA") == 1;
}

int PrivateKey::bits() const
{
    return EVP_PKEY_get_bits(key_.get());
}

}  // namespace re6st
