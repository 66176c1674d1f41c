// A published, vetted group instead of generated parameters: generating a
// 2048-bit safe prime takes seconds to minutes, and OpenVPN 2.6 refuses
// anything smaller.
#include "common/dh_params.hpp"

#include "common/openssl_handle.hpp"

#include <openssl/core_names.h>
#include <openssl/pem.h>

namespace re6st {

std::string ffdhe2048_pem()
{
    char group[] = "ffdhe2048";
    OSSL_PARAM parameters[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_end(),
    };
    openssl::PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!context || EVP_PKEY_fromdata_init(context.get()) <= 0
        || EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_KEY_PARAMETERS, parameters) <= 0)
        throw openssl_error("cannot build the ffdhe2048 group");
    openssl::PkeyPtr group_key(raw);
    return openssl::write_to_string(
        [&](BIO* bio) { return PEM_write_bio_Parameters(bio, group_key.get()); },
        "cannot write the DH parameters");
}

}  // namespace re6st
