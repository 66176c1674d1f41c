// The network-wide parameters: defaults, precedence, ranges and the
// canonical document.
#include "common/network_parameters.hpp"

#include "common/certificate_serial.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <tuple>
#include <type_traits>

namespace re6st {

namespace {

using namespace std::chrono_literals;

template <class T>
struct Field {
    using Value = T;
    std::string_view name;
    std::optional<T> NetworkParameters::*member;
};

// Every parameter, in the byte order of its name: the order of the document.
constexpr auto fields = std::make_tuple(
    Field<std::chrono::seconds>{"config-refresh", &NetworkParameters::config_refresh},
    Field<unsigned>{"connection-count", &NetworkParameters::connection_count},
    Field<std::chrono::seconds>{"hello", &NetworkParameters::hello},
    Field<unsigned>{"max-clients", &NetworkParameters::max_clients},
    Field<unsigned>{"refresh-count", &NetworkParameters::refresh_count},
    Field<std::chrono::milliseconds>{"tunnel-hello", &NetworkParameters::tunnel_hello},
    Field<std::chrono::seconds>{"tunnel-ping", &NetworkParameters::tunnel_ping},
    Field<std::chrono::seconds>{"tunnel-refresh", &NetworkParameters::tunnel_refresh},
    Field<std::chrono::seconds>{"tunnel-tcp-timeout", &NetworkParameters::tunnel_tcp_timeout},
    Field<std::chrono::seconds>{"tunnel-timeout", &NetworkParameters::tunnel_timeout});

template <class F>
void for_each_field(F&& f)
{
    std::apply([&](const auto&... field) { (f(field), ...); }, fields);
}

constexpr std::string_view format_line = "re6st-network-config 1";
constexpr std::string_view revoked_name = "revoked";

// The bad input in a message: one line, printable, not too long.
std::string quoted(std::string_view text)
{
    constexpr std::size_t longest = 60;
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < longest; ++i) {
        char c = text[i];
        out += c >= 0x20 && c < 0x7f ? c : '?';
    }
    if (text.size() > longest)
        out += "...";
    return out + '"';
}

std::invalid_argument bad(const std::string& what) { return std::invalid_argument(what); }

NetworkParameterError out_of_range(const std::string& name, const std::string& rule)
{
    return NetworkParameterError(name, rule);
}

void at_least(const std::string& name, long long value, long long minimum)
{
    if (value < minimum)
        throw out_of_range(name, "must be at least " + std::to_string(minimum));
}

void duration_at_least(const std::string& name, std::chrono::seconds value, long long minimum)
{
    at_least(name, value.count(), minimum);
    if (value > max_network_duration)
        throw out_of_range(name, "must be at most " + std::to_string(max_network_duration.count()));
}

bool all_digits(std::string_view text)
{
    return !text.empty() && text.find_first_not_of("0123456789") == text.npos;
}

template <class Integer>
std::optional<Integer> decimal(std::string_view text)
{
    Integer value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::string format_value(std::chrono::seconds value) { return std::to_string(value.count()); }

std::string format_value(unsigned value) { return std::to_string(value); }

std::string format_value(std::chrono::milliseconds value) { return format_decimal_seconds(value); }

// Each returns nullopt for a value that is not of the field's form.
std::optional<std::chrono::seconds> parse_value(std::string_view text,
                                                std::type_identity<std::chrono::seconds>)
{
    auto value = all_digits(text) ? decimal<std::int64_t>(text) : std::nullopt;
    if (!value)
        return std::nullopt;
    return std::chrono::seconds(*value);
}

std::optional<unsigned> parse_value(std::string_view text, std::type_identity<unsigned>)
{
    return all_digits(text) ? decimal<unsigned>(text) : std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_value(
    std::string_view text, std::type_identity<std::chrono::milliseconds>)
{
    return parse_decimal_seconds(text);
}

// The serials of a revoked line: each canonical, in strictly increasing
// byte order, so that one set has one text.
std::vector<std::string> parse_revoked(std::string_view value)
{
    std::vector<std::string> serials;
    for (std::size_t start = 0; start <= value.size();) {
        auto end = std::min(value.find(' ', start), value.size());
        auto serial = value.substr(start, end - start);
        if (!is_canonical_serial(serial))
            throw bad("bad revoked serial in network configuration: " + quoted(serial));
        if (!serials.empty() && serials.back() >= serial)
            throw bad("revoked serials out of order or repeated in network configuration: "
                      + quoted(serial));
        serials.emplace_back(serial);
        start = end + 1;
    }
    return serials;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_decimal_seconds(std::string_view text)
{
    auto dot = text.find('.');
    auto whole = text.substr(0, dot);
    auto fraction = dot == text.npos ? std::string_view() : text.substr(dot + 1);
    auto digits_or_empty = [](std::string_view s) { return s.empty() || all_digits(s); };
    if ((whole.empty() && fraction.empty()) || !digits_or_empty(whole) || whole.size() > 6
        || !digits_or_empty(fraction) || fraction.size() > 3)
        return std::nullopt;
    std::string millis(fraction);
    millis.resize(3, '0');
    return std::chrono::milliseconds(decimal<std::int64_t>(whole).value_or(0) * 1000
                                     + *decimal<std::int64_t>(millis));
}

std::string format_decimal_seconds(std::chrono::milliseconds duration)
{
    auto text = std::to_string(duration.count() / 1000);
    auto fraction = std::to_string(1000 + duration.count() % 1000).substr(1);
    while (!fraction.empty() && fraction.back() == '0')
        fraction.pop_back();
    return fraction.empty() ? text : text + '.' + fraction;
}

NetworkParameters default_network_parameters()
{
    NetworkParameters defaults;
    defaults.hello = 15s;
    defaults.tunnel_hello = 200ms;
    defaults.tunnel_timeout = 3s;
    defaults.tunnel_tcp_timeout = 15s;
    defaults.tunnel_ping = 1s;
    defaults.connection_count = 20;
    defaults.tunnel_refresh = 300s;
    defaults.refresh_count = 1;
    defaults.config_refresh = 60s;
    return defaults;
}

NetworkParameters overlay(const NetworkParameters& over, const NetworkParameters& under)
{
    NetworkParameters merged = under;
    for_each_field([&](const auto& field) {
        if (over.*field.member)
            merged.*field.member = over.*field.member;
    });
    return merged;
}

unsigned default_max_clients(unsigned connection_count)
{
    return connection_count / 2 + connection_count % 2;
}

NetworkParameters merge_network_parameters(const NetworkParameters& options,
                                           const NetworkParameters& network)
{
    auto merged = overlay(options, overlay(network, default_network_parameters()));
    if (!merged.max_clients)
        merged.max_clients = default_max_clients(*merged.connection_count);
    return merged;
}

void check_network_parameters(const NetworkParameters& p)
{
    // In the order the node checks its options, so that both report the
    // same fault first.
    if (p.hello)
        duration_at_least("hello", *p.hello, 1);
    if (p.connection_count)
        at_least("connection-count", *p.connection_count, 1);
    if (p.max_clients)
        at_least("max-clients", *p.max_clients, 1);
    if (p.tunnel_refresh)
        duration_at_least("tunnel-refresh", *p.tunnel_refresh, 1);
    if (p.tunnel_ping)
        duration_at_least("tunnel-ping", *p.tunnel_ping, 1);
    if (p.tunnel_timeout) {
        duration_at_least("tunnel-timeout", *p.tunnel_timeout, 2);
        if (p.tunnel_ping && *p.tunnel_timeout <= *p.tunnel_ping)
            throw out_of_range("tunnel-timeout", "must be longer than '--tunnel-ping'");
    }
    if (p.tunnel_tcp_timeout) {
        duration_at_least("tunnel-tcp-timeout", *p.tunnel_tcp_timeout, 2);
        if (p.tunnel_timeout && *p.tunnel_tcp_timeout < *p.tunnel_timeout)
            throw out_of_range("tunnel-tcp-timeout", "must not be shorter than '--tunnel-timeout'");
    }
    if (p.tunnel_hello && (*p.tunnel_hello < 50ms || *p.tunnel_hello > 300s))
        throw out_of_range("tunnel-hello", "must be between 0.05 and 300 seconds");
    if (p.config_refresh)
        duration_at_least("config-refresh", *p.config_refresh, 1);
}

std::string encode_network_config(std::int64_t version, const NetworkParameters& parameters,
                                  const std::vector<std::string>& revoked)
{
    std::string document(format_line);
    document += "\nversion " + std::to_string(version) + '\n';
    bool revoked_written = revoked.empty();
    auto write_revoked = [&] {
        document += revoked_name;
        for (const auto& serial : revoked)
            document += ' ' + serial;
        document += '\n';
        revoked_written = true;
    };
    for_each_field([&](const auto& field) {
        if (!revoked_written && field.name > revoked_name)
            write_revoked();
        if (const auto& value = parameters.*field.member) {
            document += field.name;
            document += ' ' + format_value(*value) + '\n';
        }
    });
    if (!revoked_written)
        write_revoked();
    return document;
}

const std::vector<std::string_view>& network_parameter_names()
{
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> all;
        for_each_field([&](const auto& field) { all.push_back(field.name); });
        return all;
    }();
    return names;
}

NetworkConfig parse_network_config(std::string_view document, std::vector<std::string>* unknown)
{
    if (!document.ends_with('\n'))
        throw bad("network configuration does not end with a newline");
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start < document.size();) {
        auto end = document.find('\n', start);
        lines.push_back(document.substr(start, end - start));
        start = end + 1;
    }
    if (lines[0] != format_line)
        throw bad("unknown format of network configuration: " + quoted(lines[0]));
    std::optional<std::int64_t> version;
    if (lines.size() > 1 && lines[1].starts_with("version "))
        version = decimal<std::int64_t>(lines[1].substr(8));
    if (!version)
        throw bad("bad version line in network configuration: "
                  + quoted(lines.size() > 1 ? lines[1] : std::string_view()));

    NetworkConfig config;
    config.version = *version;
    std::set<std::string_view> seen;
    for (std::size_t i = 2; i < lines.size(); ++i) {
        auto line = lines[i];
        auto space = line.find(' ');
        if (space == 0 || space == line.npos)
            throw bad("malformed line in network configuration: " + quoted(line));
        auto name = line.substr(0, space);
        auto value = line.substr(space + 1);
        if (!seen.insert(name).second || name == "version")
            throw bad("repeated name in network configuration: " + quoted(name));
        if (name == revoked_name) {
            config.revoked = parse_revoked(value);
            continue;
        }
        bool known = false;
        for_each_field([&](const auto& field) {
            if (field.name != name)
                return;
            known = true;
            using Value = typename std::decay_t<decltype(field)>::Value;
            auto parsed = parse_value(value, std::type_identity<Value>());
            if (!parsed)
                throw bad("bad value in network configuration: " + quoted(line));
            config.parameters.*field.member = *parsed;
        });
        if (!known && unknown)
            unknown->emplace_back(name);
    }
    check_network_parameters(config.parameters);
    return config;
}

SignedNetworkConfig split_signed_network_config(std::string_view answer)
{
    constexpr std::string_view prefix = "signature ";
    auto body = answer.ends_with('\n') ? answer.substr(0, answer.size() - 1) : answer;
    auto start = body.rfind('\n');
    start = start == body.npos ? 0 : start + 1;
    auto last = body.substr(start);
    if (!answer.ends_with('\n'))
        throw bad("signed network configuration does not end with a newline: " + quoted(last));
    if (!last.starts_with(prefix))
        throw bad("no signature line in network configuration: " + quoted(last));
    auto signature = last.substr(prefix.size());
    constexpr std::string_view base64 =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    if (signature.empty() || signature.size() % 4 != 0
        || signature.find_first_not_of(base64) != signature.npos)
        throw bad("signature of network configuration is not base64: " + quoted(signature));
    if (start == 0)
        throw bad("signed network configuration has no document");
    return {std::string(answer.substr(0, start)), std::string(signature)};
}

}  // namespace re6st
