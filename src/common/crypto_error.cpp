// Turns OpenSSL's per-thread error queue into a CryptoError message.
#include "common/crypto_error.hpp"

#include <openssl/err.h>

namespace re6st {

CryptoError openssl_error(const std::string& what)
{
    std::string message = what;
    const char* separator = ": ";
    const char* data = nullptr;
    int flags = 0;
    while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
        message += separator;
        separator = "; ";
        if (const char* reason = ERR_reason_error_string(code)) {
            message += reason;
        } else {
            char text[256];
            ERR_error_string_n(code, text, sizeof text);
            message += text;
        }
        if ((flags & ERR_TXT_STRING) && data && *data)
            message += std::string(" (") + data + ")";
    }
    return CryptoError(message);
}

}  // namespace re6st
