// Issuing node certificates with OpenSSL's X509 and X509V3 APIs.
#include "common/certificate_authority.hpp"

#include <openssl/x509v3.h>

#include <utility>

namespace re6st {

namespace {

// 127 bits from OpenSSL's CSPRNG, the top one set: always positive and 16
// bytes long. Random serials are unique without the registry keeping a
// counter, and a requester cannot predict the bytes that will be signed.
void set_random_serial(X509* certificate)
{
    openssl::BignumPtr value(BN_new());
    if (!value || BN_rand(value.get(), 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1
        || !BN_to_ASN1_INTEGER(value.get(), X509_get_serialNumber(certificate)))
        throw openssl_error("cannot make a certificate serial");
}

// The CSR's subject with its CN replaced by `cn`, at the place of the first
// CN (appended if there was none).
void set_subject(X509* certificate, const CertificateRequest& csr, const std::string& cn)
{
    openssl::X509NamePtr subject(X509_NAME_dup(X509_REQ_get_subject_name(csr.get())));
    if (!subject)
        throw openssl_error("cannot copy the CSR subject");
    int position = -1;
    for (int index; (index = X509_NAME_get_index_by_NID(subject.get(), NID_commonName, -1)) >= 0;) {
        if (position < 0)
            position = index;
        openssl::X509NameEntryPtr removed(X509_NAME_delete_entry(subject.get(), index));
    }
    if (X509_NAME_add_entry_by_NID(subject.get(), NID_commonName, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.data()),
                                   int(cn.size()), position, 0) != 1)
        throw openssl_error("invalid certificate CN \"" + cn + "\"");
    if (X509_set_subject_name(certificate, subject.get()) != 1)
        throw openssl_error("cannot set the certificate subject");
}

void add_extensions(X509* certificate, X509* issuer)
{
    static constexpr std::pair<int, const char*> extensions[] = {
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
        {NID_ext_key_usage, "serverAuth,clientAuth"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid,issuer"},
    };
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    for (auto [nid, value] : extensions) {
        openssl::X509ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, &context, nid, value));
        if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1)
            throw openssl_error(std::string("cannot add extension ") + OBJ_nid2sn(nid));
    }
}

}  // namespace

CertificateAuthority::CertificateAuthority(Certificate ca, PrivateKey key)
    : ca_(std::move(ca)), key_(std::move(key))
{
    if (!ca_.matches_key(key_))
        throw CryptoError("the CA key does not match the CA certificate");
    if (!ca_.is_ca())
        throw CryptoError("the CA certificate lacks basicConstraints CA:TRUE");
}

Certificate CertificateAuthority::sign(const CertificateRequest& csr, const std::string& cn,
                                       std::chrono::seconds validity,
                                       std::optional<std::time_t> now) const
{
    if (!csr.signature_valid())
        throw CryptoError("CSR signature does not match its public key");
    if (!csr.key_is_rsa())
        throw CryptoError("CSR key is not an RSA key");
    if (int bits = csr.key_bits(); bits < min_key_bits)
        throw CryptoError("CSR key has " + std::to_string(bits) + " bits; at least "
                          + std::to_string(min_key_bits) + " are required");
    if (validity <= std::chrono::seconds::zero())
        throw CryptoError("certificate validity must be positive");

    openssl::X509Ptr certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1)
        throw openssl_error("cannot create a certificate");
    set_random_serial(certificate.get());
    set_subject(certificate.get(), csr, cn);
    if (X509_set_issuer_name(certificate.get(), X509_get_subject_name(ca_.get())) != 1
        || X509_set_pubkey(certificate.get(), X509_REQ_get0_pubkey(csr.get())) != 1)
        throw openssl_error("cannot set the certificate issuer and key");
    std::time_t issued = now.value_or(std::time(nullptr));
    if (!ASN1_TIME_set(X509_getm_notBefore(certificate.get()), issued - clock_skew.count())
        || !ASN1_TIME_set(X509_getm_notAfter(certificate.get()), issued + validity.count()))
        throw openssl_error("cannot set the certificate validity");
    add_extensions(certificate.get(), ca_.get());
    if (X509_sign(certificate.get(), key_.get(), EVP_sha256()) <= 0)
        throw openssl_error("cannot sign the certificate");
    return Certificate(std::move(certificate));
}

}  // namespace re6st
