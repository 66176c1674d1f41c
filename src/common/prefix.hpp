// IPv6 addresses and prefixes, and the addressing scheme of a re6st network:
// network from the CA serial, node prefix from the certificate CN.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace re6st {

// Thrown for any malformed address, prefix, bit string, serial or CN; the
// message quotes the bad input.
class AddressError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

class Ipv6Address {
public:
    using Bytes = std::array<std::uint8_t, 16>;   // network byte order

    constexpr Ipv6Address() = default;
    explicit constexpr Ipv6Address(const Bytes& bytes) : bytes_(bytes) {}

    static Ipv6Address parse(std::string_view text);   // throws AddressError
    static std::optional<Ipv6Address> try_parse(std::string_view text);

    std::string to_string() const;                      // RFC 5952 form
    const Bytes& bytes() const { return bytes_; }

    bool bit(unsigned index) const;                     // 0 = most significant
    void set_bit(unsigned index, bool value);

    auto operator<=>(const Ipv6Address&) const = default;

private:
    Bytes bytes_{};
};

// An address and a length; the bits past the length are always zero.
class Ipv6Prefix {
public:
    Ipv6Prefix() = default;
    Ipv6Prefix(const Ipv6Address& address, unsigned length);   // masks host bits

    static Ipv6Prefix parse(std::string_view text);   // "2001:db8::/32"

    const Ipv6Address& address() const { return address_; }
    unsigned length() const { return length_; }
    std::string to_string() const;

    bool contains(const Ipv6Address& address) const;
    bool contains(const Ipv6Prefix& other) const;   // other is inside or equal

    auto operator<=>(const Ipv6Prefix&) const = default;

private:
    Ipv6Address address_;
    unsigned length_ = 0;
};

// Binary prefix strings, the form the registry and the peer DB store
// ("0000000000000001"): one character '0' or '1' per bit, most significant
// first, at most 128.
bool is_bit_string(std::string_view bits);
Ipv6Prefix prefix_from_bits(std::string_view bits);
std::string bits_of(const Ipv6Prefix& prefix);
// `count` bits of `address` starting at bit `first`.
std::string bits_of(const Ipv6Address& address, unsigned first, unsigned count);

// A node prefix as written in a certificate CN: "<P>/<L>", P the prefix as an
// unsigned decimal integer of L bits. Both directions.
std::string bits_from_cn(std::string_view cn);
std::string cn_from_bits(std::string_view bits);

// A certificate serial as `openssl x509 -serial` prints it ("0120010DB80042",
// hex digits of either case, an odd count allowed): its big-endian bytes.
std::vector<std::uint8_t> serial_from_hex(std::string_view hex);

// The IPv6 prefix of a re6st network and its node addresses.
class Network {
public:
    explicit Network(const Ipv6Prefix& prefix);

    // The CA serial (big-endian bytes) is a 1 bit followed by the network
    // bits: 0x120010db80042 is 2001:db8:42::/48.
    static Network from_ca_serial(std::span<const std::uint8_t> serial);

    const Ipv6Prefix& prefix() const { return prefix_; }
    unsigned length() const { return prefix_.length(); }

    // Longest node prefix this network can hold: the node address needs a
    // final 1 bit after the prefix.
    unsigned max_node_bits() const { return 127 - length(); }
    // Whether `bits` is a binary node prefix this network can hold: one to
    // max_node_bits() characters '0' or '1'.
    bool is_node_prefix(std::string_view bits) const;

    // network bits + node bits + zeros + a final 1.
    Ipv6Address node_address(std::string_view node_bits) const;
    // network bits + node bits, of length network + node bits.
    Ipv6Prefix node_subnet(std::string_view node_bits) const;

    bool contains(const Ipv6Address& address) const { return prefix_.contains(address); }
    bool contains(const Ipv6Prefix& prefix) const { return prefix_.contains(prefix); }

    // The node bits of a subnet or node route inside this network; nullopt
    // when the prefix lies outside it or is not longer than it.
    std::optional<std::string> node_bits_of(const Ipv6Prefix& subnet) const;

private:
    void check_node_bits(std::string_view node_bits) const;

    Ipv6Prefix prefix_;
};

}  // namespace re6st
