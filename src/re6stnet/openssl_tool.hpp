// The node's certificate and key read, and the registry's signatures
// checked, with the openssl command-line tool.
// The daemon links no OpenSSL: libcrypto alone adds 1.4 MiB of resident
// memory to any process that loads it, a sixth of the daemon's footprint
// target (docs/performance.rst), and the daemon then never holds the private key. These
// are few calls, at start-up, on a rare bootstrap or a new network configuration.
#pragma once

#include "re6stnet/certificate_schedule.hpp"
#include "re6stnet/process/command.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace re6st {

// What the daemon reads of a certificate, from one run of openssl: each
// run costs some 40 ms of CPU, and a start-up read the node's
// certificate and the CA's with seven of them.
struct CertificateFields {
    std::vector<std::uint8_t> serial;   // big-endian
    std::string subject_cn;   // empty unless asked for
    CertificateDates dates;
    std::string public_key;   // PEM
};

class OpenSslTool {
public:
    explicit OpenSslTool(CommandRunner run, std::string program = "openssl");

    // Each throws std::runtime_error naming the file and quoting openssl.
    std::vector<std::uint8_t> serial(const std::string& certificate) const;   // big-endian
    std::string subject_cn(const std::string& certificate) const;
    bool matches_key(const std::string& certificate, const std::string& key) const;
    // Whether `key` is the private half of `public_key` (PEM).
    bool key_matches(const std::string& public_key, const std::string& key) const;
    // All of the above at once; throws if any is missing, as they do. The
    // CN is read only `with_cn`: a CA's need not be a node's.
    CertificateFields fields(const std::string& certificate, bool with_cn = true) const;
    // The public key, PEM.
    std::string public_key(const std::string& certificate) const;
    // The subject on one line (RFC 2253), to compare two certificates'.
    std::string subject(const std::string& certificate) const;
    CertificateDates dates(const std::string& certificate) const;
    // Empty when `certificate` verifies against `ca`, else openssl's reason.
    // Without `check_time`, an expired certificate (or CA) still verifies:
    // its dates are judged apart.
    std::string verify(const std::string& certificate, const std::string& ca,
                       bool check_time = true) const;

    // The command that writes to stdout a certificate request (PEM) for
    // `certificate`'s subject and key, signed with `key`.
    std::vector<std::string> request_command(const std::string& certificate,
                                             const std::string& key) const;

    // The command that decrypts stdin (RSA PKCS#1 v1.5) with `key` to stdout.
    std::vector<std::string> decrypt_command(const std::string& key) const;

    // The command that checks `signature` (a file, binary) over the bytes
    // of `data` with `public_key` (PEM), SHA-256 digest, and whether its
    // result says the signature is good.
    std::vector<std::string> verify_signature_command(const std::string& public_key,
                                                      const std::string& signature,
                                                      const std::string& data) const;
    static bool signature_verified(const CommandResult& result);
    // The same, run now.
    bool verify_signature(const std::string& public_key, const std::string& signature,
                          const std::string& data) const;

private:
    std::string output_of(const std::vector<std::string>& arguments, const std::string& file) const;
    std::string x509_output(const std::string& certificate,
                            std::initializer_list<std::vector<std::string>> options) const;

    CommandRunner run_;
    std::string program_;
};

}  // namespace re6st
