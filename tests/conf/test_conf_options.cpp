// re6st-conf's command line (docs/re6st-conf.rst): the original's options,
// --registry, --fingerprint, --force, and one-line errors.
#include "conf/conf_options.hpp"

#include "common/options.hpp"
#include "support/option_files.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::conf;
using Args = std::vector<std::string>;

namespace {

std::string usage_error(const Args& args)
{
    try {
        parse_conf_options(args);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "accepted";
}

}  // namespace

TEST(ConfOptions, TheOriginalsCommandLine)
{
    auto options = *parse_conf_options({"--server", "192.0.2.42", "--port", "80", "-d", "/tmp/n",
                                        "--email", "a@example.com", "-r", "O", "Acme", "--req",
                                        "OU", "Lab"});
    EXPECT_EQ(options.registry.to_string(), "http://192.0.2.42:80/");
    EXPECT_EQ(options.directory, "/tmp/n");
    EXPECT_EQ(options.email, "a@example.com");
    EXPECT_FALSE(options.token);
    EXPECT_EQ(options.subject, (std::vector<std::pair<std::string, std::string>>{
                                   {"O", "Acme"}, {"OU", "Lab"}}));
    EXPECT_FALSE(options.ca_only);
    EXPECT_FALSE(options.force);
    EXPECT_FALSE(options.fingerprint);
}

TEST(ConfOptions, Defaults)
{
    auto options = *parse_conf_options({"--registry", "http://192.0.2.42/"});
    EXPECT_EQ(options.directory, "/etc/re6stnet");
    EXPECT_TRUE(options.subject.empty());
    EXPECT_FALSE(options.email);
}

TEST(ConfOptions, Ipv6ServerIsBracketed)
{
    for (const char* server : {"2001:db8::1", "[2001:db8::1]"})
        EXPECT_EQ(parse_conf_options({"--server", server, "--port", "9080"})->registry.to_string(),
                  "http://[2001:db8::1]:9080/");
}

TEST(ConfOptions, RegistryUrlAndSwitches)
{
    auto options = *parse_conf_options({"--registry", "http://[2001:db8::1]:9080/", "--token",
                                        "T0KEN", "--ca-only", "--force", "--dir", "x"});
    EXPECT_EQ(options.registry, (Url{"2001:db8::1", 9080, "/"}));
    EXPECT_EQ(options.token, "T0KEN");
    EXPECT_TRUE(options.ca_only);
    EXPECT_TRUE(options.force);
    EXPECT_EQ(options.directory, "x");
}

// As `openssl x509 -noout -fingerprint` prints it, or without colons, in
// either case: kept as Certificate::fingerprint gives it.
TEST(ConfOptions, Fingerprint)
{
    const std::string sha256 =
        "5E:8F:16:06:2E:A3:CD:2C:4A:0D:54:78:76:BA:A6:F3:8C:AB:F6:25:8F:C6:A7:8C:0D:A9:1E:63:"
        "33:17:3B:0D";
    const std::pair<std::string, Fingerprint> cases[] = {
        {"sha256:" + sha256, {"sha256", sha256}},
        {"sha256:5e8f16062ea3cd2c4a0d547876baa6f38cabf6258fc6a78c0da91e6333173b0d",
         {"sha256", sha256}},
        {"SHA256:5e:8F:16:06:2E:A3:CD:2C:4A:0D:54:78:76:BA:A6:F3:8C:AB:F6:25:8F:C6:A7:8C:0D:A9:"
         "1E:63:33:17:3B:0d",
         {"sha256", sha256}},
        {"sha1:0123456789abcdef0123456789ABCDEF01234567",
         {"sha1", "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67"}},
    };
    for (const auto& [text, fingerprint] : cases) {
        auto options = *parse_conf_options({"--registry", "http://h/", "--fingerprint", text});
        EXPECT_EQ(options.fingerprint, fingerprint) << text;
    }
    EXPECT_EQ(Fingerprint::parse("sha384:" + std::string(96, 'a')).value.size(), 48u * 3 - 1);
    EXPECT_EQ(Fingerprint::parse("sha512:" + std::string(128, 'F')).digest, "sha512");
    EXPECT_EQ(Fingerprint({"sha256", sha256}).to_string(), "sha256:" + sha256);
}

TEST(ConfOptions, Help)
{
    EXPECT_FALSE(parse_conf_options({"--help"}));
    EXPECT_FALSE(parse_conf_options({"-h"}));
}

TEST(ConfOptions, ErrorsNameTheOption)
{
    const std::pair<Args, const char*> cases[] = {
        {{}, "the registry is required: --registry URL, or --server HOST --port PORT"},
        {{"--server", "h"}, "--server needs --port"},
        {{"--port", "80"}, "--port needs --server"},
        {{"--registry", "http://h/", "--server", "h", "--port", "1"},
         "--registry excludes --server and --port"},
        {{"--registry", "https://h/"},
         "--registry: bad URL \"https://h/\": https is not supported, only http"},
        {{"--server", "h", "--port", "-1"}, "--port: invalid port \"-1\""},
        {{"--server", "h", "--port", "65536"}, "--port: invalid port \"65536\""},
        {{"--server", "h h", "--port", "80"}, "--server/--port: invalid host \"h h\""},
        {{"--registry", "http://h/", "-r", "O"}, "option '--req' takes 2 values, not 1"},
        {{"--registry", "http://h/", "--token", ""}, "--token: empty value"},
        {{"--registry", "http://h/", "--email", ""}, "--email: empty value"},
        {{"--registry", "http://h/", "-d", ""}, "--dir: empty directory name"},
        {{"--registry", "http://h/", "--bogus"}, "unrecognised option '--bogus'"},
        {{"--registry", "http://h/", "--fingerprint", "5E:8F"},
         "--fingerprint: unknown digest \"5E\" in \"5E:8F\" (ALG:HEX, e.g. sha256:5E:8F:...)"},
        {{"--registry", "http://h/", "--fingerprint", "5E8F"},
         "--fingerprint: \"5E8F\" is not ALG:HEX (e.g. sha256:5E:8F:...)"},
        {{"--registry", "http://h/", "--fingerprint", ":5E8F"},
         "--fingerprint: \":5E8F\" is not ALG:HEX (e.g. sha256:5E:8F:...)"},
        {{"--registry", "http://h/", "--fingerprint", "sha257:5E8F"},
         "--fingerprint: unknown digest \"sha257\" in \"sha257:5E8F\" (ALG:HEX, e.g."
         " sha256:5E:8F:...)"},
        {{"--registry", "http://h/", "--fingerprint", "sha256:5E:8G"},
         "--fingerprint: \"sha256:5E:8G\": 'G' is not a hexadecimal digit"},
        {{"--registry", "http://h/", "--fingerprint", "sha1:5E:8F"},
         "--fingerprint: \"sha1:5E:8F\": a sha1 fingerprint has 40 hexadecimal digits, not 4"},
        {{"--registry", "http://h/", "--fingerprint", "sha256:"},
         "--fingerprint: \"sha256:\": a sha256 fingerprint has 64 hexadecimal digits, not 0"},
        {{"--registry", "http://h/", "--fingerprint", "sha1:" + std::string(40, '0'),
          "--fingerprint", "sha1:" + std::string(40, '0')},
         "option '--fingerprint' cannot be specified more than once"},
    };
    for (const auto& [args, message] : cases)
        EXPECT_EQ(usage_error(args), message);
}

TEST(ConfOptions, OptionFileErrorsNameFileAndLine)
{
    const std::pair<std::string, const char*> cases[] = {
        {"registry http://h/\nbogus\n", "c:2: unrecognised option '--bogus'"},
        {"registry http://h/\nreq O\n", "c:2: option '--req' takes 2 values, not 1"},
        {"registry http://h/\ndir\n", "c:2: the required argument for option '--dir' is missing"},
        {"registry\n", "c:1: the required argument for option '--registry' is missing"},
        {"registry http://h/\n\nfingerprint sha256:00\n",
         "c:3: --fingerprint: \"sha256:00\": a sha256 fingerprint has 64 hexadecimal digits,"
         " not 2"},
    };
    for (const auto& [file, message] : cases) {
        try {
            parse_conf_options({"@c"}, test::option_files({{"c", file}}));
            ADD_FAILURE() << "accepted " << file;
        } catch (const UsageError& error) {
            EXPECT_EQ(error.what(), std::string(message));
        }
    }
    auto options = parse_conf_options({"@c"}, test::option_files({{"c", "registry http://h/\n"
                                                                       "req O Acme\n"}}));
    EXPECT_EQ(options->subject, (std::vector<std::pair<std::string, std::string>>{{"O", "Acme"}}));
}
