// The network parameters: canonical document, its reading back, the range
// rules, precedence, and the cutting of a signed answer.
#include "common/network_parameters.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

using namespace re6st;
using namespace std::chrono_literals;

namespace {

std::string refusal(const NetworkParameters& parameters)
{
    try {
        check_network_parameters(parameters);
        return "accepted";
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
}

std::string parse_refusal(std::string_view document)
{
    try {
        parse_network_config(document);
        return "accepted";
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
}

std::string split_refusal(std::string_view answer)
{
    try {
        split_signed_network_config(answer);
        return "accepted";
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
}

constexpr std::string_view default_document =
    "re6st-network-config 1\n"
    "version 1700000000\n"
    "config-refresh 60\n"
    "connection-count 20\n"
    "hello 15\n"
    "max-clients 10\n"
    "refresh-count 1\n"
    "tunnel-hello 0.2\n"
    "tunnel-ping 1\n"
    "tunnel-refresh 300\n"
    "tunnel-tcp-timeout 15\n"
    "tunnel-timeout 3\n";

}  // namespace

TEST(NetworkParameters, DefaultsAreTheNodes)
{
    auto defaults = default_network_parameters();
    EXPECT_EQ(defaults.hello, 15s);
    EXPECT_EQ(defaults.tunnel_hello, 200ms);
    EXPECT_EQ(defaults.tunnel_timeout, 3s);
    EXPECT_EQ(defaults.tunnel_tcp_timeout, 15s);
    EXPECT_EQ(defaults.tunnel_ping, 1s);
    EXPECT_EQ(defaults.connection_count, 20u);
    EXPECT_FALSE(defaults.max_clients);   // follows the connection-count that wins
    EXPECT_EQ(defaults.tunnel_refresh, 300s);
    EXPECT_EQ(defaults.refresh_count, 1u);
    EXPECT_EQ(defaults.config_refresh, 60s);
    EXPECT_EQ(refusal(defaults), "accepted");
}

TEST(NetworkParameters, CanonicalEncodingByteForByte)
{
    auto defaults = default_network_parameters();
    defaults.max_clients = 10;
    EXPECT_EQ(encode_network_config(1700000000, defaults), default_document);
    EXPECT_EQ(encode_network_config(-3, {}), "re6st-network-config 1\nversion -3\n");

    NetworkParameters some;
    some.tunnel_timeout = 4s;
    some.connection_count = 6;
    EXPECT_EQ(encode_network_config(7, some),
              "re6st-network-config 1\nversion 7\nconnection-count 6\ntunnel-timeout 4\n");
}

TEST(NetworkParameters, TunnelHelloInDecimalSecondsWithoutTrailingZeros)
{
    const std::pair<std::chrono::milliseconds, const char*> cases[] = {
        {200ms, "0.2"}, {1000ms, "1"}, {50ms, "0.05"}, {1234ms, "1.234"},
        {300s, "300"},  {10ms, "0.01"}, {1500ms, "1.5"}, {1ms, "0.001"},
    };
    for (const auto& [value, text] : cases) {
        NetworkParameters p;
        p.tunnel_hello = value;
        EXPECT_EQ(encode_network_config(1, p),
                  std::string("re6st-network-config 1\nversion 1\ntunnel-hello ") + text + "\n");
    }
}

TEST(NetworkParameters, DecimalSecondsAsTheNodeReadsThem)
{
    const std::pair<const char*, std::chrono::milliseconds> accepted[] = {
        {"0.25", 250ms}, {".5", 500ms}, {"2.", 2000ms}, {"0.050", 50ms}, {"300", 300s},
        {"999999.999", 999999999ms}, {"0", 0ms},
    };
    for (const auto& [text, expected] : accepted) {
        EXPECT_EQ(parse_decimal_seconds(text), expected) << text;
        EXPECT_EQ(parse_decimal_seconds(format_decimal_seconds(expected)), expected) << text;
    }
    for (const char* text : {"", ".", "-1", "+1", "1e3", " 1", "1 ", "0.0001", "1234567", "1,5",
                             "0x10", "1..2"})
        EXPECT_FALSE(parse_decimal_seconds(text)) << text;
}

TEST(NetworkParameters, NamesInByteOrder)
{
    const auto& names = network_parameter_names();
    ASSERT_EQ(names.size(), 10u);
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(NetworkParameters, ParseRoundTrip)
{
    auto config = parse_network_config(default_document);
    EXPECT_EQ(config.version, 1700000000);
    EXPECT_EQ(config.parameters, merge_network_parameters({}, {}));

    NetworkParameters some;
    some.tunnel_hello = 1234ms;
    some.refresh_count = 0;
    some.config_refresh = 5s;
    for (std::int64_t version : {std::int64_t(0), std::int64_t(42), INT64_MAX}) {
        auto document = encode_network_config(version, some);
        EXPECT_EQ(parse_network_config(document), (NetworkConfig{version, some}));
    }
    EXPECT_EQ(parse_network_config("re6st-network-config 1\nversion 9\n"), (NetworkConfig{9, {}}));
}

TEST(NetworkParameters, ParseReadsTunnelHelloAsTheNodeDoes)
{
    const std::pair<const char*, std::chrono::milliseconds> cases[] = {
        {"0.25", 250ms}, {".5", 500ms}, {"2.", 2000ms}, {"0.050", 50ms}, {"300", 300s},
    };
    for (const auto& [text, expected] : cases) {
        auto document = std::string("re6st-network-config 1\nversion 1\ntunnel-hello ") + text
                        + "\n";
        EXPECT_EQ(parse_network_config(document).parameters.tunnel_hello, expected) << text;
    }
}

TEST(NetworkParameters, RangeRules)
{
    auto with = [](auto member, auto value) {
        NetworkParameters p;
        p.*member = value;
        return refusal(p);
    };
    using P = NetworkParameters;
    EXPECT_EQ(refusal({}), "accepted");
    EXPECT_EQ(with(&P::hello, 0s), "option '--hello' must be at least 1");
    EXPECT_EQ(with(&P::hello, 1s), "accepted");
    EXPECT_EQ(with(&P::connection_count, 0u), "option '--connection-count' must be at least 1");
    EXPECT_EQ(with(&P::connection_count, 1u), "accepted");
    EXPECT_EQ(with(&P::max_clients, 0u), "option '--max-clients' must be at least 1");
    EXPECT_EQ(with(&P::max_clients, 1u), "accepted");
    EXPECT_EQ(with(&P::refresh_count, 0u), "accepted");
    EXPECT_EQ(with(&P::tunnel_refresh, 0s), "option '--tunnel-refresh' must be at least 1");
    EXPECT_EQ(with(&P::tunnel_refresh, 1s), "accepted");
    EXPECT_EQ(with(&P::tunnel_ping, 0s), "option '--tunnel-ping' must be at least 1");
    EXPECT_EQ(with(&P::tunnel_ping, 1s), "accepted");
    EXPECT_EQ(with(&P::tunnel_timeout, 1s), "option '--tunnel-timeout' must be at least 2");
    EXPECT_EQ(with(&P::tunnel_timeout, 2s), "accepted");
    EXPECT_EQ(with(&P::tunnel_tcp_timeout, 1s), "option '--tunnel-tcp-timeout' must be at least 2");
    EXPECT_EQ(with(&P::tunnel_tcp_timeout, 2s), "accepted");
    EXPECT_EQ(with(&P::config_refresh, 0s), "option '--config-refresh' must be at least 1");
    EXPECT_EQ(with(&P::config_refresh, 1s), "accepted");
    EXPECT_EQ(with(&P::hello, -5s), "option '--hello' must be at least 1");

    const std::string hello_range = "option '--tunnel-hello' must be between 0.05 and 300 seconds";
    EXPECT_EQ(with(&P::tunnel_hello, 49ms), hello_range);
    EXPECT_EQ(with(&P::tunnel_hello, 50ms), "accepted");
    EXPECT_EQ(with(&P::tunnel_hello, 300000ms), "accepted");
    EXPECT_EQ(with(&P::tunnel_hello, 300001ms), hello_range);
}

TEST(NetworkParameters, DurationsAtMostAThousandYears)
{
    for (auto member : {&NetworkParameters::hello, &NetworkParameters::tunnel_timeout,
                        &NetworkParameters::tunnel_tcp_timeout, &NetworkParameters::tunnel_ping,
                        &NetworkParameters::tunnel_refresh, &NetworkParameters::config_refresh}) {
        NetworkParameters p;
        p.*member = max_network_duration;
        EXPECT_EQ(refusal(p), "accepted");
        p.*member = max_network_duration + 1s;
        EXPECT_TRUE(refusal(p).ends_with("' must be at most 31536000000")) << refusal(p);
    }
}

TEST(NetworkParameters, ErrorsNameTheOptionAtFault)
{
    auto option_of = [](const NetworkParameters& p) {
        try {
            check_network_parameters(p);
        } catch (const NetworkParameterError& error) {
            return error.option();
        }
        return std::string("none");
    };
    NetworkParameters p;
    p.tunnel_hello = 10ms;
    EXPECT_EQ(option_of(p), "tunnel-hello");
    try {
        check_network_parameters(p);
    } catch (const NetworkParameterError& error) {
        EXPECT_EQ(error.rule(), "must be between 0.05 and 300 seconds");
    }
    p = {};
    p.max_clients = 0;
    EXPECT_EQ(option_of(p), "max-clients");
    p = {};
    p.tunnel_ping = 5s;
    p.tunnel_timeout = 5s;
    EXPECT_EQ(option_of(p), "tunnel-timeout");
    p.tunnel_timeout = 6s;
    p.tunnel_tcp_timeout = 5s;
    EXPECT_EQ(option_of(p), "tunnel-tcp-timeout");
    EXPECT_EQ(option_of({}), "none");
}

TEST(NetworkParameters, CrossFieldRulesOnlyWhenBothAreSet)
{
    NetworkParameters p;
    p.tunnel_timeout = 3s;
    p.tunnel_ping = 3s;
    EXPECT_EQ(refusal(p), "option '--tunnel-timeout' must be longer than '--tunnel-ping'");
    p.tunnel_ping = 2s;
    EXPECT_EQ(refusal(p), "accepted");
    p.tunnel_tcp_timeout = 2s;
    EXPECT_EQ(refusal(p),
              "option '--tunnel-tcp-timeout' must not be shorter than '--tunnel-timeout'");
    p.tunnel_tcp_timeout = 3s;
    EXPECT_EQ(refusal(p), "accepted");

    NetworkParameters alone;
    alone.tunnel_ping = 100s;   // tunnel-timeout not set: no comparison
    alone.tunnel_tcp_timeout = 2s;
    EXPECT_EQ(refusal(alone), "accepted");
}

TEST(NetworkParameters, UnknownFormatRefused)
{
    for (const char* first : {"re6st-network-config 2", "re6st-network-config", "", "hello 15"}) {
        auto document = std::string(first) + "\nversion 1\n";
        EXPECT_EQ(parse_refusal(document).rfind("unknown format of network configuration: \"", 0),
                  0u)
            << first;
    }
    EXPECT_EQ(parse_refusal("re6st-network-config 2\nversion 1\n"),
              "unknown format of network configuration: \"re6st-network-config 2\"");
}

TEST(NetworkParameters, MalformedDocumentsRefused)
{
    const std::pair<const char*, const char*> cases[] = {
        {"", "network configuration does not end with a newline"},
        {"re6st-network-config 1\nversion 1", "network configuration does not end with a newline"},
        {"re6st-network-config 1\n", "bad version line in network configuration: \"\""},
        {"re6st-network-config 1\nversion x\n",
         "bad version line in network configuration: \"version x\""},
        {"re6st-network-config 1\nversion 99999999999999999999\n",
         "bad version line in network configuration: \"version 99999999999999999999\""},
        {"re6st-network-config 1\nhello 15\nversion 1\n",
         "bad version line in network configuration: \"hello 15\""},
        {"re6st-network-config 1\nversion 1\nhello\n",
         "malformed line in network configuration: \"hello\""},
        {"re6st-network-config 1\nversion 1\n\n", "malformed line in network configuration: \"\""},
        {"re6st-network-config 1\nversion 1\n 15\n",
         "malformed line in network configuration: \" 15\""},
        {"re6st-network-config 1\nversion 1\nhello -1\n",
         "bad value in network configuration: \"hello -1\""},
        {"re6st-network-config 1\nversion 1\nhello +1\n",
         "bad value in network configuration: \"hello +1\""},
        {"re6st-network-config 1\nversion 1\nhello 1.5\n",
         "bad value in network configuration: \"hello 1.5\""},
        {"re6st-network-config 1\nversion 1\nhello 15 \n",
         "bad value in network configuration: \"hello 15 \""},
        {"re6st-network-config 1\nversion 1\nhello 15\r\n",
         "bad value in network configuration: \"hello 15?\""},
        {"re6st-network-config 1\nversion 1\nhello 99999999999999999999\n",
         "bad value in network configuration: \"hello 99999999999999999999\""},
        {"re6st-network-config 1\nversion 1\nconnection-count 4294967296\n",
         "bad value in network configuration: \"connection-count 4294967296\""},
        {"re6st-network-config 1\nversion 1\ntunnel-hello 0.0001\n",
         "bad value in network configuration: \"tunnel-hello 0.0001\""},
        {"re6st-network-config 1\nversion 1\ntunnel-hello 1234567\n",
         "bad value in network configuration: \"tunnel-hello 1234567\""},
        {"re6st-network-config 1\nversion 1\ntunnel-hello .\n",
         "bad value in network configuration: \"tunnel-hello .\""},
        {"re6st-network-config 1\nversion 1\ntunnel-hello 1e3\n",
         "bad value in network configuration: \"tunnel-hello 1e3\""},
    };
    for (const auto& [document, expected] : cases)
        EXPECT_EQ(parse_refusal(document), expected) << document;
}

TEST(NetworkParameters, RepeatedNameRefused)
{
    EXPECT_EQ(parse_refusal("re6st-network-config 1\nversion 1\nhello 15\nhello 15\n"),
              "repeated name in network configuration: \"hello\"");
    EXPECT_EQ(parse_refusal("re6st-network-config 1\nversion 1\nversion 2\n"),
              "repeated name in network configuration: \"version\"");
    EXPECT_EQ(parse_refusal("re6st-network-config 1\nversion 1\nmtu 1\nmtu 2\n"),
              "repeated name in network configuration: \"mtu\"");
}

TEST(NetworkParameters, OutOfRangeValueRefused)
{
    EXPECT_EQ(parse_refusal("re6st-network-config 1\nversion 1\ntunnel-hello 0.04\n"),
              "option '--tunnel-hello' must be between 0.05 and 300 seconds");
    EXPECT_EQ(parse_refusal("re6st-network-config 1\nversion 1\ntunnel-ping 5\n"
                            "tunnel-timeout 5\n"),
              "option '--tunnel-timeout' must be longer than '--tunnel-ping'");
    EXPECT_EQ(parse_refusal("re6st-network-config 1\nversion 1\nconnection-count 0\n"),
              "option '--connection-count' must be at least 1");
    EXPECT_EQ(parse_refusal("re6st-network-config 1\nversion 1\ntunnel-refresh 999999999999\n"),
              "option '--tunnel-refresh' must be at most 31536000000");
}

TEST(NetworkParameters, UnknownNameSkippedAndReported)
{
    std::vector<std::string> unknown;
    auto config = parse_network_config("re6st-network-config 1\nversion 5\n"
                                       "babel-rtt 10 and more words\nhello 4\nzzz 1\n",
                                       &unknown);
    EXPECT_EQ(config.version, 5);
    NetworkParameters expected;
    expected.hello = 4s;
    EXPECT_EQ(config.parameters, expected);
    EXPECT_EQ(unknown, (std::vector<std::string>{"babel-rtt", "zzz"}));
    EXPECT_NO_THROW(parse_network_config("re6st-network-config 1\nversion 5\nzzz 1\n"));
}

TEST(NetworkParameters, OverlayTakesEachSetFieldOfTheUpperSet)
{
    NetworkParameters over;
    over.connection_count = 8;
    over.tunnel_hello = 1s;
    NetworkParameters under;
    under.connection_count = 2;
    under.hello = 4s;
    auto merged = overlay(over, under);
    EXPECT_EQ(merged.connection_count, 8u);
    EXPECT_EQ(merged.tunnel_hello, 1s);
    EXPECT_EQ(merged.hello, 4s);
    EXPECT_FALSE(merged.max_clients);
    EXPECT_EQ(overlay({}, under), under);
    EXPECT_EQ(overlay(under, {}), under);
}

TEST(NetworkParameters, MergeGivesCommandLineThenNetworkThenDefaults)
{
    NetworkParameters options;
    options.connection_count = 8;
    NetworkParameters network;
    network.connection_count = 2;
    network.max_clients = 1;
    network.tunnel_refresh = 30s;

    auto merged = merge_network_parameters(options, network);
    EXPECT_EQ(merged.connection_count, 8u);   // the command line wins
    EXPECT_EQ(merged.max_clients, 1u);        // the network's
    EXPECT_EQ(merged.tunnel_refresh, 30s);    // the network's
    EXPECT_EQ(merged.hello, 15s);             // the default

    // max-clients set by neither follows the merged connection-count.
    EXPECT_EQ(merge_network_parameters(options, {}).max_clients, 4u);
    NetworkParameters odd;
    odd.connection_count = 7;
    EXPECT_EQ(merge_network_parameters({}, odd).max_clients, 4u);
    auto defaults = default_network_parameters();
    defaults.max_clients = 10;
    EXPECT_EQ(merge_network_parameters({}, {}), defaults);
    EXPECT_EQ(default_max_clients(1), 1u);
    EXPECT_EQ(default_max_clients(2), 1u);
    EXPECT_EQ(default_max_clients(6), 3u);
}

TEST(NetworkParameters, SplitSignedAnswer)
{
    auto answer = std::string(default_document) + "signature QUJD+/==\n";
    auto split = split_signed_network_config(answer);
    EXPECT_EQ(split.document, default_document);
    EXPECT_EQ(split.signature_base64, "QUJD+/==");
}

TEST(NetworkParameters, SplitRefusesAnswersWithoutASignature)
{
    const std::string document(default_document);
    const std::pair<std::string, const char*> cases[] = {
        {"unchanged", "signed network configuration does not end with a newline: \"unchanged\""},
        {document, "no signature line in network configuration: \"tunnel-timeout 3\""},
        {document + "signature QUJD",
         "signed network configuration does not end with a newline: \"signature QUJD\""},
        {document + "signature \n", "signature of network configuration is not base64: \"\""},
        {document + "signature QUJ\n", "signature of network configuration is not base64: \"QUJ\""},
        {document + "signature QU D\n",
         "signature of network configuration is not base64: \"QU D\""},
        {"signature QUJD\n", "signed network configuration has no document"},
        {document + "signature QUJD\nhello 1\n",
         "no signature line in network configuration: \"hello 1\""},
    };
    for (const auto& [answer, expected] : cases)
        EXPECT_EQ(split_refusal(answer), expected) << answer;
}

TEST(NetworkParameters, RevokedLineInItsByteOrderPlace)
{
    NetworkParameters some;
    some.refresh_count = 2;
    some.tunnel_hello = 500ms;
    EXPECT_EQ(encode_network_config(9, some, {"01", "0A1B", "FF"}),
              "re6st-network-config 1\nversion 9\nrefresh-count 2\nrevoked 01 0A1B FF\n"
              "tunnel-hello 0.5\n");
    EXPECT_EQ(encode_network_config(9, {}, {"7F"}),
              "re6st-network-config 1\nversion 9\nrevoked 7F\n");
    NetworkParameters early;
    early.hello = 4s;
    EXPECT_EQ(encode_network_config(9, early, {"7F"}),
              "re6st-network-config 1\nversion 9\nhello 4\nrevoked 7F\n");
    // None revoked: no line, the document of before.
    EXPECT_EQ(encode_network_config(9, some), encode_network_config(9, some, {}));
    EXPECT_EQ(encode_network_config(9, some).find("revoked"), std::string::npos);
}

TEST(NetworkParameters, RevokedRoundTrip)
{
    NetworkConfig config{42, merge_network_parameters({}, {}), {"00", "01", "12AB34", "C0FFEE"}};
    EXPECT_EQ(parse_network_config(encode_network_config(config.version, config.parameters,
                                                         config.revoked)),
              config);
    EXPECT_TRUE(parse_network_config(encode_network_config(1, {})).revoked.empty());
}

TEST(NetworkParameters, MalformedRevokedLineRefused)
{
    const std::pair<const char*, const char*> cases[] = {
        {"revoked \n", "bad revoked serial in network configuration: \"\""},
        {"revoked 0a\n", "bad revoked serial in network configuration: \"0a\""},
        {"revoked A\n", "bad revoked serial in network configuration: \"A\""},
        {"revoked 000A\n", "bad revoked serial in network configuration: \"000A\""},
        {"revoked 0G\n", "bad revoked serial in network configuration: \"0G\""},
        {"revoked 0A  0B\n", "bad revoked serial in network configuration: \"\""},
        {"revoked 0A \n", "bad revoked serial in network configuration: \"\""},
        {"revoked 0x0A\n", "bad revoked serial in network configuration: \"0x0A\""},
        {"revoked 0B 0A\n",
         "revoked serials out of order or repeated in network configuration: \"0A\""},
        {"revoked 0A 0A\n",
         "revoked serials out of order or repeated in network configuration: \"0A\""},
    };
    for (const auto& [line, expected] : cases)
        EXPECT_EQ(parse_refusal(std::string("re6st-network-config 1\nversion 1\n") + line),
                  expected)
            << line;
    EXPECT_EQ(parse_refusal("re6st-network-config 1\nversion 1\nrevoked 0A\nrevoked 0B\n"),
              "repeated name in network configuration: \"revoked\"");
}
