// The network-wide parameters that the registry hands out, signed, and that
// a node may override: the model, its range rules and its canonical text.
// No I/O and no cryptography (the node links this without libcrypto).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re6st {

// Each parameter is optional: a set given on a node's command line, a set
// received from the registry, the built-in defaults.
struct NetworkParameters {
    std::optional<std::chrono::seconds> hello;               // --hello
    std::optional<std::chrono::milliseconds> tunnel_hello;   // --tunnel-hello (decimal s)
    std::optional<std::chrono::seconds> tunnel_timeout;      // --tunnel-timeout
    std::optional<std::chrono::seconds> tunnel_tcp_timeout;  // --tunnel-tcp-timeout
    std::optional<std::chrono::seconds> tunnel_ping;         // --tunnel-ping
    std::optional<unsigned> connection_count;                // --connection-count
    std::optional<unsigned> max_clients;                     // --max-clients
    std::optional<std::chrono::seconds> tunnel_refresh;      // --tunnel-refresh
    std::optional<unsigned> refresh_count;                   // --refresh-count
    std::optional<std::chrono::seconds> config_refresh;      // --config-refresh
    bool operator==(const NetworkParameters&) const = default;
};

// The node's built-in defaults: hello 15 s, tunnel-hello 0.2 s,
// tunnel-timeout 3 s, tunnel-tcp-timeout 15 s, tunnel-ping 1 s,
// connection-count 20, tunnel-refresh 300 s, refresh-count 1, config-refresh
// 60 s. All set but max-clients, whose default follows whichever
// connection-count wins: default_max_clients, applied by
// merge_network_parameters.
NetworkParameters default_network_parameters();

// Each field of `over` that is set, else `under`'s.
NetworkParameters overlay(const NetworkParameters& over, const NetworkParameters& under);

// ceil(connection_count / 2): as many tunnels in as out.
unsigned default_max_clients(unsigned connection_count);

// What a node runs with, all set: each of `options` (its command line) that
// is set, else the network's, else the default; max-clients, when neither
// set it, is default_max_clients of the merged connection-count.
NetworkParameters merge_network_parameters(const NetworkParameters& options,
                                           const NetworkParameters& network);

// A parameter out of range: what() is one line naming the option, "option
// '--OPTION' RULE".
class NetworkParameterError : public std::invalid_argument {
public:
    NetworkParameterError(std::string option, std::string rule)
        : std::invalid_argument("option '--" + option + "' " + rule),
          option_(std::move(option)), rule_(std::move(rule)) {}
    // The option at fault, without dashes ("tunnel-hello"); of a rule between
    // two options, the first one the message names.
    const std::string& option() const { return option_; }
    // What its value breaks: "must be between 0.05 and 300 seconds".
    const std::string& rule() const { return rule_; }

private:
    std::string option_;
    std::string rule_;
};

// The longest duration a parameter may be (1000 years): far from any
// overflow when a node converts it to milliseconds or adds it to a clock.
inline constexpr std::chrono::seconds max_network_duration = std::chrono::days(365'000);

// The node's range rules on the fields that are set (hello >= 1 s,
// connection-count >= 1, max-clients >= 1, tunnel-refresh >= 1 s,
// tunnel-ping >= 1 s, tunnel-timeout >= 2 s, tunnel-tcp-timeout >= 2 s,
// tunnel-hello 0.05..300 s, config-refresh >= 1 s, each duration at most
// max_network_duration); the cross-field rules (tunnel-timeout > tunnel-ping,
// tunnel-tcp-timeout >= tunnel-timeout) only when both are set. Throws
// NetworkParameterError, e.g. "option '--tunnel-hello' must be between 0.05
// and 300 seconds".
void check_network_parameters(const NetworkParameters&);

// Decimal seconds as --tunnel-hello takes them, at most millisecond
// precision as babeld reads them: "0.25", ".5", "2.", "300"; nullopt for
// anything else (signs, exponents, spaces, more than 3 decimals or 6 digits
// before the point).
std::optional<std::chrono::milliseconds> parse_decimal_seconds(std::string_view text);
// "0.2", "1", "0.05": no trailing zeros. parse_decimal_seconds reads it back.
std::string format_decimal_seconds(std::chrono::milliseconds duration);

// The canonical document, which the CA signs:
//   "re6st-network-config 1\n"
//   "version <decimal int64>\n"
// then one line "<option name without dashes> <value>\n" per set field, names
// in byte order. Seconds as decimal integers; tunnel-hello in decimal seconds
// with at most 3 decimals and no trailing zeros ("0.2", "1", "0.05").
// The revoked certificates, when there are any, take the place of the name
// "revoked" in that order: one line "revoked <serial> <serial>...\n", each
// serial as is_canonical_serial (certificate_serial.hpp) wants it, in byte
// order, each once; `revoked` must already be so.
std::string encode_network_config(std::int64_t version, const NetworkParameters&,
                                  const std::vector<std::string>& revoked = {});

// The option names of the document, in its (byte) order.
const std::vector<std::string_view>& network_parameter_names();

struct NetworkConfig {
    std::int64_t version = 0;
    NetworkParameters parameters;
    std::vector<std::string> revoked;   // serials of revoked certificates, sorted
    bool operator==(const NetworkConfig&) const = default;
};

// Reads a document as above. Throws std::invalid_argument (one line, quoting
// the bad input) on a first line other than "re6st-network-config 1"
// ("unknown format"), a bad version, a malformed line, a repeated name, a
// value out of range (check_network_parameters), a revoked line with a
// malformed serial or serials out of order or repeated. Names it does not know are
// skipped, since a newer registry may send more, and listed in `unknown` if
// given.
NetworkConfig parse_network_config(std::string_view document,
                                   std::vector<std::string>* unknown = nullptr);

// The registry's answer: the document followed by one line
// "signature <base64 of the CA key's signature over the document's bytes>\n",
// SHA-256 digest (RSA: PKCS#1 v1.5), i.e. what `openssl dgst -sha256 -sign`
// makes and `openssl dgst -sha256 -verify` checks.
struct SignedNetworkConfig {
    std::string document;
    std::string signature_base64;
};

// Cuts an answer into its document and signature; throws
// std::invalid_argument when the last line is not a signature line of
// base64 or nothing precedes it. Checks neither the signature nor the
// document.
SignedNetworkConfig split_signed_network_config(std::string_view answer);

// The answer to a caller that already has the current version.
inline constexpr std::string_view network_config_unchanged = "unchanged";

}  // namespace re6st
