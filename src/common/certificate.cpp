// Certificates read through OpenSSL's X509 API; verification is OpenSSL's own
// X509_verify_cert, so that the registry and the daemon judge a certificate
// exactly as OpenVPN (linked to the same library) does.
#include "common/certificate.hpp"

#include "common/pem_file.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace re6st {

namespace {

std::time_t to_time_t(const ASN1_TIME* time)
{
    std::tm fields{};
    if (!time || ASN1_TIME_to_tm(time, &fields) != 1)
        throw openssl_error("invalid time in certificate");
    return timegm(&fields);
}

}  // namespace

Certificate::Certificate(openssl::X509Ptr certificate) : certificate_(std::move(certificate)) {}

Certificate::Certificate(const Certificate& other)
    : certificate_(openssl::share(other.certificate_.get()))
{
}

Certificate& Certificate::operator=(const Certificate& other)
{
    certificate_ = openssl::share(other.certificate_.get());
    return *this;
}

Certificate Certificate::from_pem(std::string_view pem)
{
    auto bio = openssl::memory_bio(pem);
    openssl::X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate)
        throw openssl_error("no certificate in PEM data");
    return Certificate(std::move(certificate));
}

Certificate Certificate::load(const std::string& path)
{
    return load_pem_file<Certificate>(path);
}

std::string Certificate::to_pem() const
{
    return openssl::write_to_string(
        [this](BIO* bio) { return PEM_write_bio_X509(bio, certificate_.get()); },
        "cannot write the certificate");
}

std::vector<std::uint8_t> Certificate::serial() const
{
    openssl::BignumPtr value(
        ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate_.get()), nullptr));
    if (!value)
        throw openssl_error("invalid certificate serial");
    std::vector<std::uint8_t> bytes(BN_num_bytes(value.get()));
    BN_bn2bin(value.get(), bytes.data());
    return bytes;
}

std::string Certificate::serial_hex() const
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (std::uint8_t byte : serial()) {
        hex += digits[byte >> 4];
        hex += digits[byte & 0xf];
    }
    auto first = hex.find_first_not_of('0');
    return first == hex.npos ? "0" : hex.substr(first);
}

std::string Certificate::subject_cn() const
{
    return single_common_name(X509_get_subject_name(certificate_.get()), "certificate");
}

std::string single_common_name(const X509_NAME* name, const std::string& what)
{
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0)
        throw CryptoError(what + " has no subject CN");
    if (X509_NAME_get_index_by_NID(name, NID_commonName, index) >= 0)
        throw CryptoError(what + " has several subject CNs");
    unsigned char* utf8 = nullptr;
    int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
    if (length < 0)
        throw openssl_error("cannot decode the " + what + " CN");
    openssl::BufferPtr owner(utf8);
    return std::string(reinterpret_cast<const char*>(utf8), std::size_t(length));
}

std::vector<std::uint8_t> public_key_der(const EVP_PKEY* key)
{
    if (!key)
        return {};
    unsigned char* der = nullptr;
    int length = i2d_PUBKEY(key, &der);
    if (length < 0)
        throw openssl_error("cannot encode a public key");
    openssl::BufferPtr owner(der);
    return std::vector<std::uint8_t>(der, der + length);
}

std::vector<std::uint8_t> Certificate::public_key_der() const
{
    return re6st::public_key_der(X509_get0_pubkey(certificate_.get()));
}

std::string Certificate::subject() const
{
    auto bio = openssl::empty_memory_bio();
    if (X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate_.get()), 0,
                           XN_FLAG_RFC2253) < 0)
        throw openssl_error("cannot print the certificate subject");
    return openssl::bio_contents(bio.get());
}

std::string Certificate::fingerprint(const std::string& digest) const
{
    const EVP_MD* md = EVP_get_digestbyname(digest.c_str());
    if (!md)
        throw CryptoError("unknown digest \"" + digest + "\"");
    unsigned char value[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    if (X509_digest(certificate_.get(), md, value, &length) != 1)
        throw openssl_error("cannot compute the certificate fingerprint");
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string text;
    for (unsigned i = 0; i < length; ++i) {
        if (i)
            text += ':';
        text += digits[value[i] >> 4];
        text += digits[value[i] & 0xf];
    }
    return text;
}

std::time_t Certificate::not_before() const
{
    return to_time_t(X509_get0_notBefore(certificate_.get()));
}

std::time_t Certificate::not_after() const
{
    return to_time_t(X509_get0_notAfter(certificate_.get()));
}

bool Certificate::matches_key(const PrivateKey& key) const
{
    const EVP_PKEY* own = X509_get0_pubkey(certificate_.get());
    bool equal = own && EVP_PKEY_eq(own, key.get()) == 1;
    ERR_clear_error();   // a mismatch of key types queues an error
    return equal;
}

bool Certificate::is_ca() const
{
    return (X509_get_extension_flags(certificate_.get()) & EXFLAG_CA) != 0;
}

std::string verify_certificate(const Certificate& cert, const Certificate& ca,
                               std::optional<std::time_t> at)
{
    openssl::X509StorePtr store(X509_STORE_new());
    openssl::X509StoreCtxPtr context(X509_STORE_CTX_new());
    if (!store || !context || X509_STORE_add_cert(store.get(), ca.get()) != 1
        || X509_STORE_CTX_init(context.get(), store.get(), cert.get(), nullptr) != 1)
        throw openssl_error("cannot set up certificate verification");
    if (at)
        X509_STORE_CTX_set_time(context.get(), 0, *at);
    int verified = X509_verify_cert(context.get());
    int error = X509_STORE_CTX_get_error(context.get());
    if (verified == 1)
        return {};
    if (verified < 0 || error == X509_V_OK)
        throw openssl_error("certificate verification failed");
    ERR_clear_error();
    return X509_verify_cert_error_string(error);
}

}  // namespace re6st
