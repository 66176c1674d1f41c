// Runs the `openssl` command-line tool, the reference that the X.509 code
// must interoperate with in both directions.
#pragma once

#include <string>
#include <vector>

namespace re6st::test {

struct CommandResult {
    int exit_status;      // -1 when killed by a signal
    std::string output;   // stdout and stderr together
};

// /usr/bin/openssl with `arguments`, stdin from /dev/null; no shell.
CommandResult run_openssl(const std::vector<std::string>& arguments);

// Same, but a non-zero exit throws std::runtime_error quoting the command and
// its output; returns the output.
std::string openssl_tool(const std::vector<std::string>& arguments);

// An RSA key written by `openssl genpkey` to `key_file`.
void openssl_rsa_key(const std::string& key_file, int bits = 2048);

// A CA certificate made as SPEC A.2 tells operators to:
// openssl req -nodes -new -x509 -key KEY -set_serial SERIAL -days 365
//   -subj SUBJECT -addext basicConstraints=critical,CA:TRUE
void openssl_ca(const std::string& key_file, const std::string& cert_file,
                const std::string& serial = "0x120010db80042",
                const std::string& subject = "/CN=test-ca");

// A CSR made by `openssl req -new -newkey NEWKEY` (e.g. "rsa:2048") with a
// fresh unencrypted key.
void openssl_csr(const std::string& newkey, const std::string& subject,
                 const std::string& key_file, const std::string& csr_file);

// A copy of the PEM CSR `csr_file` with one bit of its signature flipped.
void tamper_csr_signature(const std::string& csr_file, const std::string& out_file);

}  // namespace re6st::test
