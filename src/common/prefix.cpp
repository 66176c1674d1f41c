// IPv6 addresses and prefixes, and the addressing scheme of a re6st network.
#include "common/prefix.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace re6st {

namespace {

std::string quoted(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

// unsigned __int128 holds any node prefix: at most 127 bits.
using uint128 = unsigned __int128;

}  // namespace

// --- Ipv6Address ---

std::optional<Ipv6Address> Ipv6Address::try_parse(std::string_view text)
{
    // inet_pton needs a NUL-terminated string; an embedded NUL is invalid.
    if (text.size() >= INET6_ADDRSTRLEN || text.find('\0') != text.npos)
        return std::nullopt;
    std::string copy(text);
    Bytes bytes;
    if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) != 1)
        return std::nullopt;
    return Ipv6Address(bytes);
}

Ipv6Address Ipv6Address::parse(std::string_view text)
{
    if (auto address = try_parse(text))
        return *address;
    throw AddressError("invalid IPv6 address " + quoted(text));
}

std::string Ipv6Address::to_string() const
{
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, bytes_.data(), text, sizeof text);
    return text;
}

bool Ipv6Address::bit(unsigned index) const
{
    return bytes_[index / 8] >> (7 - index % 8) & 1;
}

void Ipv6Address::set_bit(unsigned index, bool value)
{
    std::uint8_t mask = 1 << (7 - index % 8);
    if (value)
        bytes_[index / 8] |= mask;
    else
        bytes_[index / 8] &= ~mask;
}

// --- Ipv6Prefix ---

Ipv6Prefix::Ipv6Prefix(const Ipv6Address& address, unsigned length)
    : address_(address), length_(length)
{
    if (length > 128)
        throw AddressError("prefix length " + std::to_string(length) + " exceeds 128");
    for (unsigned i = length; i < 128; ++i)
        address_.set_bit(i, false);
}

Ipv6Prefix Ipv6Prefix::parse(std::string_view text)
{
    auto slash = text.find('/');
    if (slash == text.npos)
        throw AddressError("invalid IPv6 prefix " + quoted(text) + ": no /length");
    auto address = Ipv6Address::try_parse(text.substr(0, slash));
    auto length_text = text.substr(slash + 1);
    unsigned length = 0;
    auto [end, error] = std::from_chars(length_text.data(),
                                        length_text.data() + length_text.size(), length);
    if (!address || error != std::errc() || end != length_text.data() + length_text.size()
        || length_text.empty() || length > 128)
        throw AddressError("invalid IPv6 prefix " + quoted(text));
    Ipv6Prefix prefix(*address, length);
    if (prefix.address_ != *address)
        throw AddressError("invalid IPv6 prefix " + quoted(text) + ": host bits set");
    return prefix;
}

std::string Ipv6Prefix::to_string() const
{
    return address_.to_string() + "/" + std::to_string(length_);
}

bool Ipv6Prefix::contains(const Ipv6Address& address) const
{
    return Ipv6Prefix(address, length_) == *this;
}

bool Ipv6Prefix::contains(const Ipv6Prefix& other) const
{
    return other.length_ >= length_ && contains(other.address_);
}

// --- bit strings ---

bool is_bit_string(std::string_view bits)
{
    return bits.size() <= 128
        && bits.find_first_not_of("01") == bits.npos;
}

Ipv6Prefix prefix_from_bits(std::string_view bits)
{
    if (!is_bit_string(bits))
        throw AddressError("invalid binary prefix " + quoted(bits));
    Ipv6Address address;
    for (unsigned i = 0; i < bits.size(); ++i)
        address.set_bit(i, bits[i] == '1');
    return Ipv6Prefix(address, bits.size());
}

std::string bits_of(const Ipv6Address& address, unsigned first, unsigned count)
{
    if (first > 128 || count > 128 - first)
        throw AddressError("bit range past the end of an IPv6 address");
    std::string bits(count, '0');
    for (unsigned i = 0; i < count; ++i)
        if (address.bit(first + i))
            bits[i] = '1';
    return bits;
}

std::string bits_of(const Ipv6Prefix& prefix)
{
    return bits_of(prefix.address(), 0, prefix.length());
}

// --- certificate CN ---

std::string bits_from_cn(std::string_view cn)
{
    auto bad = [&](const char* why) {
        return AddressError("invalid node prefix CN " + quoted(cn) + ": " + why);
    };
    auto slash = cn.find('/');
    if (slash == cn.npos)
        throw bad("expected \"<prefix>/<length>\"");
    auto number = cn.substr(0, slash);
    auto length_text = cn.substr(slash + 1);

    unsigned length = 0;
    auto [end, error] = std::from_chars(length_text.data(),
                                        length_text.data() + length_text.size(), length);
    if (length_text.empty() || error != std::errc()
        || end != length_text.data() + length_text.size())
        throw bad("length is not a number");
    if (length == 0 || length > 127)
        throw bad("length out of range 1..127");

    if (number.empty() || number.find_first_not_of("0123456789") != number.npos)
        throw bad("prefix is not an unsigned decimal number");
    uint128 value = 0;
    for (char digit : number) {
        uint128 next = value * 10 + unsigned(digit - '0');
        if (next / 10 != value)   // overflow of 128 bits
            throw bad("prefix does not fit its length");
        value = next;
    }
    if (length < 128 && value >> length != 0)
        throw bad("prefix does not fit its length");

    std::string bits(length, '0');
    for (unsigned i = 0; i < length; ++i)
        if (value >> (length - 1 - i) & 1)
            bits[i] = '1';
    return bits;
}

std::string cn_from_bits(std::string_view bits)
{
    if (bits.empty() || bits.size() > 127 || !is_bit_string(bits))
        throw AddressError("invalid binary node prefix " + quoted(bits));
    uint128 value = 0;
    for (char bit : bits)
        value = value << 1 | uint128(bit == '1');
    std::string digits;
    do {
        digits.insert(digits.begin(), char('0' + unsigned(value % 10)));
        value /= 10;
    } while (value != 0);
    return digits + "/" + std::to_string(bits.size());
}

// --- Network ---

Network::Network(const Ipv6Prefix& prefix) : prefix_(prefix)
{
    if (prefix.length() > 126)
        throw AddressError("network " + prefix.to_string() + " leaves no room for nodes");
}

std::vector<std::uint8_t> serial_from_hex(std::string_view hex)
{
    if (hex.empty() || hex.find_first_not_of("0123456789ABCDEFabcdef") != hex.npos)
        throw AddressError("invalid serial " + quoted(hex) + ": not hexadecimal");
    std::vector<std::uint8_t> bytes((hex.size() + 1) / 2);
    // An odd count: the first byte holds one digit.
    std::size_t digit = hex.size() % 2 ? 1 : 0;
    for (char c : hex) {
        unsigned value = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        bytes[digit / 2] |= value << (digit % 2 ? 0 : 4);
        ++digit;
    }
    return bytes;
}

Network Network::from_ca_serial(std::span<const std::uint8_t> serial)
{
    // Skip leading zero bytes and bits to find the marker 1 bit.
    unsigned total = serial.size() * 8, first = 0;
    while (first < total && !(serial[first / 8] >> (7 - first % 8) & 1))
        ++first;
    if (first == total)
        throw AddressError("CA serial is zero: it does not encode a network");
    unsigned length = total - first - 1;
    if (length > 126)
        throw AddressError("CA serial encodes a network longer than 126 bits");
    Ipv6Address address;
    for (unsigned i = 0; i < length; ++i) {
        unsigned bit = first + 1 + i;
        address.set_bit(i, serial[bit / 8] >> (7 - bit % 8) & 1);
    }
    return Network(Ipv6Prefix(address, length));
}

void Network::check_node_bits(std::string_view node_bits) const
{
    if (node_bits.empty() || node_bits.size() > max_node_bits() || !is_bit_string(node_bits))
        throw AddressError("invalid node prefix " + quoted(node_bits) + " for network "
                           + prefix_.to_string());
}

Ipv6Prefix Network::node_subnet(std::string_view node_bits) const
{
    check_node_bits(node_bits);
    Ipv6Address address = prefix_.address();
    for (unsigned i = 0; i < node_bits.size(); ++i)
        address.set_bit(length() + i, node_bits[i] == '1');
    return Ipv6Prefix(address, length() + node_bits.size());
}

Ipv6Address Network::node_address(std::string_view node_bits) const
{
    Ipv6Address address = node_subnet(node_bits).address();
    address.set_bit(127, true);
    return address;
}

std::optional<std::string> Network::node_bits_of(const Ipv6Prefix& subnet) const
{
    if (!prefix_.contains(subnet) || subnet.length() == length()
        || subnet.length() > 127)
        return std::nullopt;
    return bits_of(subnet.address(), length(), subnet.length() - length());
}

bool Network::is_node_prefix(std::string_view bits) const
{
    return !bits.empty() && bits.size() <= max_node_bits() && is_bit_string(bits);
}

}  // namespace re6st
