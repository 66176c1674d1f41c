// Certificate serials as text: what `openssl x509 -serial` prints (upper-case
// hex, two digits per byte, "00" for zero), the form of the revoked serials
// in the signed network configuration. No libcrypto.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace re6st {

// The big-endian bytes of a serial (leading zero bytes ignored) as text.
std::string serial_text(std::span<const std::uint8_t> bytes);

// Whether `text` is a serial as serial_text writes it: an even number (at
// least 2) of upper-case hex digits, without a leading zero byte unless it
// is "00".
bool is_canonical_serial(std::string_view text);

// A serial typed by someone (hex, any case, leading zeros or none) as
// serial_text writes it; nullopt when it is not hex.
std::optional<std::string> canonical_serial(std::string_view text);

}  // namespace re6st
