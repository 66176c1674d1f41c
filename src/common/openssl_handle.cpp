// Reference sharing and memory BIOs for the OpenSSL handles.
#include "common/openssl_handle.hpp"

#include <climits>

namespace re6st::openssl {

PkeyPtr share(EVP_PKEY* key)
{
    if (key)
        EVP_PKEY_up_ref(key);
    return PkeyPtr(key);
}

X509Ptr share(X509* certificate)
{
    if (certificate)
        X509_up_ref(certificate);
    return X509Ptr(certificate);
}

BioPtr memory_bio(std::string_view data)
{
    if (data.size() > INT_MAX)
        throw CryptoError("PEM data too large");
    BioPtr bio(BIO_new_mem_buf(data.data(), int(data.size())));
    if (!bio)
        throw openssl_error("cannot allocate a memory BIO");
    return bio;
}

BioPtr empty_memory_bio()
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        throw openssl_error("cannot allocate a memory BIO");
    return bio;
}

std::string bio_contents(BIO* bio)
{
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, size > 0 ? std::size_t(size) : 0);
}

}  // namespace re6st::openssl
