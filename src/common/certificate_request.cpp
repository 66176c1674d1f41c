// CSRs through OpenSSL's X509_REQ API.
#include "common/certificate_request.hpp"

#include "common/certificate.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace re6st {

namespace {

// The CSR's public key, or null when it does not decode. A key that does not
// decode is an answer about the CSR, not an error to report later: OpenSSL's
// queued reason would otherwise end up in the next error message of the
// thread, another request's.
EVP_PKEY* public_key(X509_REQ* request)
{
    EVP_PKEY* key = X509_REQ_get0_pubkey(request);
    if (!key)
        ERR_clear_error();
    return key;
}

}  // namespace

CertificateRequest::CertificateRequest(openssl::X509ReqPtr request)
    : request_(std::move(request))
{
}

CertificateRequest CertificateRequest::create(
    const PrivateKey& key, const std::vector<std::pair<std::string, std::string>>& subject)
{
    openssl::X509ReqPtr request(X509_REQ_new());
    if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1)
        throw openssl_error("cannot create a CSR");
    X509_NAME* name = X509_REQ_get_subject_name(request.get());
    for (const auto& [field, value] : subject)
        if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value.data()),
                                       int(value.size()), -1, 0) != 1)
            throw openssl_error("invalid CSR subject field " + field + "=\"" + value + "\"");
    if (X509_REQ_set_pubkey(request.get(), key.get()) != 1
        || X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0)
        throw openssl_error("cannot sign the CSR");
    return CertificateRequest(std::move(request));
}

CertificateRequest CertificateRequest::from_pem(std::string_view pem)
{
    auto bio = openssl::memory_bio(pem);
    openssl::X509ReqPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!request)
        throw openssl_error("no certificate request in PEM data");
    return CertificateRequest(std::move(request));
}

std::string CertificateRequest::to_pem() const
{
    return openssl::write_to_string(
        [this](BIO* bio) { return PEM_write_bio_X509_REQ(bio, request_.get()); },
        "cannot write the CSR");
}

bool CertificateRequest::signature_valid() const
{
    EVP_PKEY* key = public_key(request_.get());
    bool valid = key && X509_REQ_verify(request_.get(), key) == 1;
    ERR_clear_error();   // a bad signature is an answer, not an error to report later
    return valid;
}

bool CertificateRequest::key_is_rsa() const
{
    EVP_PKEY* key = public_key(request_.get());
    return key && EVP_PKEY_is_a(key, "RSA") == 1;
}

int CertificateRequest::key_bits() const
{
    EVP_PKEY* key = public_key(request_.get());
    return key ? EVP_PKEY_get_bits(key) : 0;
}

std::vector<std::uint8_t> CertificateRequest::public_key_der() const
{
    return re6st::public_key_der(public_key(request_.get()));
}

std::string CertificateRequest::subject_cn() const
{
    return single_common_name(X509_REQ_get_subject_name(request_.get()), "certificate request");
}

}  // namespace re6st
