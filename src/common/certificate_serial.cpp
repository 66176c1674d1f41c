// Certificate serials as text.
#include "common/certificate_serial.hpp"

namespace re6st {

namespace {

constexpr std::string_view upper_digits = "0123456789ABCDEF";

}  // namespace

std::string serial_text(std::span<const std::uint8_t> bytes)
{
    std::string text;
    for (std::uint8_t byte : bytes) {
        if (text.empty() && byte == 0)
            continue;
        text += upper_digits[byte >> 4];
        text += upper_digits[byte & 0xf];
    }
    return text.empty() ? "00" : text;
}

bool is_canonical_serial(std::string_view text)
{
    return text.size() >= 2 && text.size() % 2 == 0
           && text.find_first_not_of(upper_digits) == text.npos
           && (text == "00" || !text.starts_with("00"));
}

std::optional<std::string> canonical_serial(std::string_view text)
{
    if (text.empty() || text.find_first_not_of("0123456789abcdefABCDEF") != text.npos)
        return std::nullopt;
    auto first = text.find_first_not_of('0');
    std::string digits(first == text.npos ? "" : text.substr(first));
    for (auto& c : digits)
        if (c >= 'a' && c <= 'f')
            c = char(c - 'a' + 'A');
    if (digits.size() % 2 != 0)
        digits.insert(digits.begin(), '0');
    return digits.empty() ? "00" : digits;
}

}  // namespace re6st
