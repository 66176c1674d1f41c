// Parsing and formatting of the registry's http URLs.
#include "common/url.hpp"

#include "common/prefix.hpp"

#include <algorithm>
#include <charconv>

namespace re6st {

namespace {

[[noreturn]] void fail(std::string_view url, std::string_view why)
{
    throw UrlError("bad URL \"" + std::string(url) + "\": " + std::string(why));
}

bool is_host_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '-' || c == '.' || c == '_';
}

// Why `host` (unbracketed) is not a usable host, or empty when it is.
std::string host_problem(std::string_view host)
{
    if (host.empty())
        return "no host";
    if (host.size() > 253 || !std::all_of(host.begin(), host.end(), is_host_name_char))
        return "invalid host \"" + std::string(host) + "\"";
    return {};
}

std::string lower(std::string_view text)
{
    std::string result(text);
    for (auto& c : result)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    return result;
}

}  // namespace

Url Url::parse(std::string_view text)
{
    if (std::any_of(text.begin(), text.end(),
                    [](unsigned char c) { return c <= ' ' || c == 0x7f; }))
        fail(text, "contains whitespace or control characters");
    auto separator = text.find("://");
    if (separator == text.npos)
        fail(text, "expected http://HOST[:PORT][/PATH]");
    auto scheme = lower(text.substr(0, separator));
    if (scheme == "https")
        fail(text, "https is not supported, only http");
    if (scheme != "http")
        fail(text, "unsupported scheme \"" + scheme + "\", only http");

    auto rest = text.substr(separator + 3);
    auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    Url url;
    if (slash != rest.npos)
        url.path = std::string(rest.substr(slash));
    if (authority.find_first_of("?#") != authority.npos)
        fail(text, "a query or fragment needs a path before it");
    if (authority.find('@') != authority.npos)
        fail(text, "user information is not supported");

    std::string_view port;
    bool has_port = false;
    if (authority.starts_with('[')) {
        auto close = authority.find(']');
        if (close == authority.npos)
            fail(text, "missing ']' after the IPv6 address");
        url.host = std::string(authority.substr(1, close - 1));
        if (!Ipv6Address::try_parse(url.host))
            fail(text, "invalid IPv6 address \"" + url.host + "\"");
        auto after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(':'))
            fail(text, "unexpected text after ']'");
        has_port = !after.empty();
        if (has_port)
            port = after.substr(1);
    } else {
        if (std::count(authority.begin(), authority.end(), ':') > 1)
            fail(text, Ipv6Address::try_parse(authority)
                           ? "an IPv6 address must be in brackets"
                           : "invalid host \"" + std::string(authority) + "\"");
        auto colon = authority.rfind(':');
        auto host = authority.substr(0, colon);
        if (auto problem = host_problem(host); !problem.empty())
            fail(text, problem);
        url.host = std::string(host);
        has_port = colon != authority.npos;
        if (has_port)
            port = authority.substr(colon + 1);
    }
    if (has_port) {
        unsigned value = 0;
        auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || error != std::errc() || end != port.data() + port.size()
            || value == 0 || value > 65535)
            fail(text, "invalid port \"" + std::string(port) + "\"");
        url.port = std::uint16_t(value);
    }
    return url;
}

Url Url::from_host_port(std::string_view host, std::uint16_t port)
{
    std::string_view bare = host;
    if (bare.size() >= 2 && bare.front() == '[' && bare.back() == ']')
        bare = bare.substr(1, bare.size() - 2);
    Url url;
    url.host = std::string(bare);
    url.port = port;
    bool ipv6 = url.host_is_ipv6();
    if (!ipv6 && bare.size() != host.size())
        throw UrlError("invalid IPv6 address \"" + std::string(host) + "\"");
    if (!ipv6)
        if (auto problem = host_problem(bare); !problem.empty())
            throw UrlError(problem);
    if (port == 0)
        throw UrlError("invalid port 0");
    return url;
}

bool Url::host_is_ipv6() const
{
    return Ipv6Address::try_parse(host).has_value();
}

std::string Url::host_port() const
{
    auto name = host_is_ipv6() ? "[" + host + "]" : host;
    return name + ":" + std::to_string(port);
}

std::string Url::to_string() const
{
    return "http://" + host_port() + path;
}

}  // namespace re6st
