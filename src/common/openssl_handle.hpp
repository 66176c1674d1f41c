// Ownership of OpenSSL objects: one unique_ptr type per object kind, freed by
// its matching *_free function, so that no error path leaks. Also the memory
// BIOs through which PEM text goes in and out.
#pragma once

#include "common/crypto_error.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>
#include <string_view>

namespace re6st::openssl {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* object) const { Free(object); }
};

template <class T, auto Free>
using Handle = std::unique_ptr<T, Deleter<Free>>;

using BioPtr = Handle<BIO, BIO_free_all>;
using BignumPtr = Handle<BIGNUM, BN_free>;
using PkeyPtr = Handle<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = Handle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = Handle<EVP_MD_CTX, EVP_MD_CTX_free>;
using X509Ptr = Handle<X509, X509_free>;
using X509ReqPtr = Handle<X509_REQ, X509_REQ_free>;
using X509NamePtr = Handle<X509_NAME, X509_NAME_free>;
using X509NameEntryPtr = Handle<X509_NAME_ENTRY, X509_NAME_ENTRY_free>;
using X509ExtensionPtr = Handle<X509_EXTENSION, X509_EXTENSION_free>;
using X509StorePtr = Handle<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = Handle<X509_STORE_CTX, X509_STORE_CTX_free>;

// Buffers OpenSSL allocates for its caller (OPENSSL_free is a macro).
struct OpensslFree {
    void operator()(void* buffer) const { OPENSSL_free(buffer); }
};
using BufferPtr = std::unique_ptr<unsigned char, OpensslFree>;

// A second owner of a reference-counted object.
PkeyPtr share(EVP_PKEY* key);
X509Ptr share(X509* certificate);

// A read-only BIO over `data`, which must outlive it.
BioPtr memory_bio(std::string_view data);

BioPtr empty_memory_bio();
std::string bio_contents(BIO* bio);

// The text that `write(BIO*)` produces, `write` being a PEM_write_bio_* call
// that returns 1 on success; openssl_error(what) otherwise.
template <class Write>
std::string write_to_string(Write write, const std::string& what)
{
    BioPtr bio = empty_memory_bio();
    if (write(bio.get()) != 1)
        throw openssl_error(what);
    return bio_contents(bio.get());
}

}  // namespace re6st::openssl
