// Parsing of "ALG:HEX" fingerprints; OpenSSL only names the digest and its size.
#include "conf/fingerprint.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cctype>

namespace re6st::conf {

namespace {

// Messages are built by appending: GCC 12 warns falsely at -O3 on
// "literal" + std::string&&.
template <class... Parts>
FingerprintError error(const Parts&... parts)
{
    std::string message;
    ((message += parts), ...);
    return FingerprintError(message);
}

}  // namespace

Fingerprint Fingerprint::parse(std::string_view text)
{
    auto colon = text.find(':');
    if (colon == text.npos || colon == 0)
        throw error("\"", text, "\" is not ALG:HEX (e.g. sha256:5E:8F:...)");
    Fingerprint fingerprint;
    for (char c : text.substr(0, colon))
        fingerprint.digest += char(std::tolower(static_cast<unsigned char>(c)));
    const EVP_MD* md = EVP_get_digestbyname(fingerprint.digest.c_str());
    ERR_clear_error();
    if (!md)
        throw error("unknown digest \"", text.substr(0, colon), "\" in \"", text,
                    "\" (ALG:HEX, e.g. sha256:5E:8F:...)");

    // Hex digits; ':' between them is ignored.
    std::string hex;
    for (char c : text.substr(colon + 1)) {
        if (c == ':')
            continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            throw error("\"", text, "\": '", std::string(1, c), "' is not a hexadecimal digit");
        hex += char(std::toupper(static_cast<unsigned char>(c)));
    }
    auto bytes = std::size_t(EVP_MD_get_size(md));
    if (hex.size() != 2 * bytes)
        throw error("\"", text, "\": a ", fingerprint.digest, " fingerprint has ",
                    std::to_string(2 * bytes), " hexadecimal digits, not ",
                    std::to_string(hex.size()));
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        if (i)
            fingerprint.value += ':';
        fingerprint.value.append(hex, i, 2);
    }
    return fingerprint;
}

}  // namespace re6st::conf
