// The one error type of the X.509 and RSA code: its message names what failed
// (a file, "CSR signature does not match ...") followed by OpenSSL's reasons.
#pragma once

#include <stdexcept>
#include <string>

namespace re6st {

class CryptoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "<what>: <reason>; <reason>..." from this thread's OpenSSL error queue,
// which it empties so that no stale reason reaches a later message.
CryptoError openssl_error(const std::string& what);

}  // namespace re6st
