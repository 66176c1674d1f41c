// A certificate fingerprint given on the command line, "ALG:HEX" as
// `openssl x509 -noout -fingerprint -ALG` prints it: what re6st-conf
// checks the registry's CA certificate against.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace re6st::conf {

class FingerprintError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct Fingerprint {
    // `text` is "ALG:HEX": ALG an OpenSSL digest name (sha256, sha1...),
    // HEX its value in either case, ':' between its digits ignored. Throws
    // FingerprintError naming what is wrong.
    static Fingerprint parse(std::string_view text);

    std::string digest;   // lower case, as given: "sha256"
    std::string value;    // as Certificate::fingerprint gives it: "5E:8F:..."

    std::string to_string() const { return digest + ":" + value; }
    bool operator==(const Fingerprint&) const = default;
};

}  // namespace re6st::conf
