// The node's certificate and key read with the openssl command-line tool.
// The daemon links no OpenSSL: libcrypto alone adds 1.4 MiB of resident
// memory to any process that loads it, a sixth of the daemon's footprint
// target (docs/performance.rst), and the daemon then never holds the private key. These
// are few calls, at start-up and on a rare bootstrap.
#pragma once

#include "re6stnet/process/command.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace re6st {

class OpenSslTool {
public:
    explicit OpenSslTool(CommandRunner run, std::string program = "openssl");

    // Each throws std::runtime_error naming the file and quoting openssl.
    std::vector<std::uint8_t> serial(const std::string& certificate) const;   // big-endian
    std::string subject_cn(const std::string& certificate) const;
    bool matches_key(const std::string& certificate, const std::string& key) const;
    // Empty when `certificate` verifies against `ca`, else openssl's reason.
    std::string verify(const std::string& certificate, const std::string& ca) const;

    // The command that decrypts stdin (RSA PKCS#1 v1.5) with `key` to stdout.
    std::vector<std::string> decrypt_command(const std::string& key) const;

private:
    std::string output_of(const std::vector<std::string>& arguments, const std::string& file) const;

    CommandRunner run_;
    std::string program_;
};

}  // namespace re6st
