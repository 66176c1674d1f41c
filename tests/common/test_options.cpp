// Command lines and @FILE option files.
#include "common/options.hpp"

#include "support/option_files.hpp"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

namespace po = boost::program_options;
using namespace re6st;

namespace {

using Tokens = std::vector<std::string>;

// Option files served from memory: the parser does no I/O of its own.
po::options_description daemon_options()
{
    po::options_description options;
    options.add_options()
        ("registry", po::value<std::string>()->required())
        ("pp", po::value<Tokens>()->multitoken())
        ("ip", po::value<Tokens>()->multitoken())
        ("hello", po::value<int>()->default_value(15))
        ("verbose,v", po::value<int>()->default_value(0))
        ("wireless,w", po::bool_switch());
    return options;
}

}  // namespace

TEST(OptionFile, OneOptionPerLineWithOptionalDashes)
{
    EXPECT_EQ(parse_option_file("registry http://192.0.2.42/\n"
                                "--hello 4\n"
                                "pp 1194 udp\n"
                                "-v 2\n", "f"),
              (Tokens{"--registry", "http://192.0.2.42/", "--hello", "4", "--pp", "1194",
                      "udp", "-v", "2"}));
}

TEST(OptionFile, CommentsBlankLinesAndSpacing)
{
    EXPECT_EQ(parse_option_file("# a comment\n\n   \t\n  wireless   # trailing\r\n"
                                "hello\t2", "f"),
              (Tokens{"--wireless", "--hello", "2"}));
    EXPECT_TRUE(parse_option_file("", "f").empty());
}

TEST(OptionFile, IncludesAreKept)
{
    EXPECT_EQ(parse_option_file("@/etc/other.conf\n", "f"), (Tokens{"@/etc/other.conf"}));
}

TEST(OptionFile, NulCharacterNamesFileAndLine)
{
    try {
        parse_option_file(std::string("a\nb\0c\n", 6), "x.conf");
        FAIL();
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "x.conf:2: NUL character");
    }
}

TEST(OptionFiles, ExpandNestedFiles)
{
    auto read = test::option_files({{"a", "hello 2\n@b\n"}, {"b", "wireless\n"}});
    EXPECT_EQ(expand_option_files({"-v", "1", "@a", "--pp", "1", "udp"}, read),
              (Tokens{"-v", "1", "--hello", "2", "--wireless", "--pp", "1", "udp"}));
}

TEST(OptionFiles, SelfInclusionIsAnError)
{
    auto read = test::option_files({{"a", "@b\n"}, {"b", "@a\n"}});
    EXPECT_THROW(expand_option_files({"@a"}, read), UsageError);
}

TEST(OptionFiles, SameFileTwiceIsFine)
{
    auto read = test::option_files({{"a", "wireless\n"}});
    EXPECT_EQ(expand_option_files({"@a", "@a"}, read).size(), 2u);
}

TEST(OptionFiles, NothingAfterDoubleDashIsExpanded)
{
    auto read = test::option_files({});
    EXPECT_EQ(expand_option_files({"--", "@x"}, read), (Tokens{"--", "@x"}));
}

TEST(OptionFiles, MissingFileIsNamed)
{
    try {
        read_option_file("/nonexistent/re6stnet.conf");
        FAIL();
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "cannot read option file /nonexistent/re6stnet.conf");
    }
}

TEST(CommandLine, ParsesFilesAndDefaults)
{
    auto read = test::option_files({{"conf", "registry http://r/\npp 1194 udp\npp 1194 tcp\n"}});
    auto line = parse_command_line({"@conf", "--hello", "4", "--", "--verb", "3"},
                                   daemon_options(), {}, read);
    EXPECT_EQ(line.values["registry"].as<std::string>(), "http://r/");
    EXPECT_EQ(line.values["hello"].as<int>(), 4);
    EXPECT_EQ(line.values["verbose"].as<int>(), 0);
    EXPECT_EQ(line.groups("pp", 2), (std::vector<Tokens>{{"1194", "udp"}, {"1194", "tcp"}}));
    EXPECT_TRUE(line.groups("ip", 3).empty());
    EXPECT_EQ(line.after_double_dash, (Tokens{"--verb", "3"}));
}

TEST(CommandLine, WrongValueCountNamesTheOption)
{
    auto line = parse_command_line({"--registry", "r", "--pp", "1194", "udp", "--pp", "1195"},
                                   daemon_options(), {}, test::option_files({}));
    try {
        line.groups("pp", 2);
        FAIL();
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "option '--pp' takes 2 values, not 1");
    }
}

TEST(CommandLine, ErrorsAreOneLineNamingTheOption)
{
    struct Case { Tokens args; std::string needle; };
    for (const auto& c : std::vector<Case>{
             {{"--registry", "r", "--bogus"}, "--bogus"},
             {{"--hello", "4"}, "--registry"},
             {{"--registry", "r", "--hello", "x"}, "--hello"},
             {{"--registry"}, "--registry"},
             {{"--registry", "r", "--hel", "4"}, "--hel"},   // no abbreviations
         }) {
        try {
            parse_command_line(c.args, daemon_options(), {}, test::option_files({}));
            ADD_FAILURE() << "accepted " << c.args.back();
        } catch (const UsageError& error) {
            std::string message = error.what();
            EXPECT_NE(message.find(c.needle), std::string::npos) << message;
            EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        }
    }
}

TEST(CommandLine, CommandLineErrorsAreBoostsOwn)
{
    const std::pair<Tokens, const char*> cases[] = {
        {{"--registry", "r", "--bogus"}, "unrecognised option '--bogus'"},
        {{"--registry", "r", "--hello"}, "the required argument for option '--hello' is missing"},
        {{"--registry", "r", "--hello", "x"}, "the argument ('x') for option '--hello' is invalid"},
        {{"--registry", "r", "--registry", "s"},
         "option '--registry' cannot be specified more than once"},
        {{"--registry", "r", "extra"},
         "too many positional options have been specified on the command line"},
        {{"--hello", "4"}, "the option '--registry' is required but missing"},
    };
    for (const auto& [args, message] : cases) {
        try {
            parse_command_line(args, daemon_options(), {}, test::option_files({}));
            ADD_FAILURE() << "accepted " << args.back();
        } catch (const UsageError& error) {
            EXPECT_STREQ(error.what(), message);
        }
    }
}

// Whatever is wrong in an option file is reported as "FILE:LINE: ...", the
// line of the token at fault.
TEST(CommandLine, ErrorsInOptionFilesNameFileAndLine)
{
    struct Case {
        std::map<std::string, std::string> files;
        Tokens args;
        std::string message;
    };
    const Case cases[] = {
        {{{"c", "registry r\nbogus 1\n"}}, {"@c"}, "c:2: unrecognised option '--bogus'"},
        {{{"c", "registry r\n\n# x\nhello\n-w\n"}}, {"@c"},
         "c:4: the required argument for option '--hello' is missing"},
        // Boost takes "--wireless" for a value: not "-w", and not a long option
        // spelt with its dashes.
        {{{"c", "registry r\n\n# x\nhello\nwireless\n"}}, {"@c"},
         "c:4: the argument ('--wireless') for option '--hello' is invalid"},
        {{{"c", "registry r\nhello\n"}}, {"@c", "-v", "1"},
         "c:2: the required argument for option '--hello' is missing"},
        {{{"c", "registry r\nhello x\n"}}, {"@c"},
         "c:2: the argument ('x') for option '--hello' is invalid"},
        {{{"c", "registry r\nhello 4 5\n"}}, {"@c"},
         "c:2: too many positional options have been specified on the command line"},
        {{{"c", "registry r\nwireless=1\n"}}, {"@c"},
         "c:2: option '--wireless' does not take any arguments"},
        {{{"c", "registry r\nhello=\n"}}, {"@c"},
         "c:2: the argument for option '--hello' should follow immediately after the equal sign"},
        {{{"c", "registry s\n"}}, {"--registry", "r", "@c"},
         "c:1: option '--registry' cannot be specified more than once"},
        {{{"c", "wireless\n-wv 2\n"}}, {"--registry", "r", "@c"},
         "c:2: option '--wireless' cannot be specified more than once"},
        {{{"c", "-wv 2\n-v 3\n"}}, {"--registry", "r", "@c"},
         "c:2: option '--verbose' cannot be specified more than once"},
        {{{"c", "-ww\n"}}, {"--registry", "r", "@c"},
         "c:1: option '--wireless' cannot be specified more than once"},
        {{{"c", "-v 2\n-ww\n"}}, {"--registry", "r", "-w", "@c"},
         "c:2: option '--wireless' cannot be specified more than once"},
        {{{"c", "registry r\nhello %value%\n"}}, {"@c"},
         "c:2: argument '%value%' holds %value%, which option parsing cannot quote"},
        {{{"a", "registry r\n@b\n"}, {"b", "\n\nbogus\n"}}, {"@a"},
         "b:3: unrecognised option '--bogus'"},
        {{{"a", "registry r\n@missing\n"}}, {"@a"}, "a:2: cannot read option file missing"},
        {{{"a", "@b\n"}, {"b", "wireless\n@a\n"}}, {"@a"}, "b:2: option file a includes itself"},
        // At fault on the command line, not in the file: today's message.
        {{{"c", "registry s\n"}}, {"@c", "--registry", "r"},
         "option '--registry' cannot be specified more than once"},
        {{{"c", "hello 4\n"}}, {"@c", "--bogus"}, "unrecognised option '--bogus'"},
        // Nothing to point at.
        {{{"c", "hello 4\n"}}, {"@c"}, "the option '--registry' is required but missing"},
    };
    for (const auto& c : cases) {
        try {
            parse_command_line(c.args, daemon_options(), {}, test::option_files(c.files));
            ADD_FAILURE() << "accepted " << c.message;
        } catch (const UsageError& error) {
            EXPECT_EQ(error.what(), c.message);
        }
    }
}

TEST(CommandLine, PositionalErrorsInOptionFilesNameFileAndLine)
{
    po::options_description options;
    options.add_options()("port", po::value<int>()->required())("db", po::value<std::string>());
    po::positional_options_description positional;
    positional.add("port", 1);
    const std::tuple<std::string, Tokens, std::string> cases[] = {
        {"db x.db 9080\n", {"@c"}, ""},
        {"db x.db nine\n", {"@c"}, "c:1: the argument ('nine') for option '--port' is invalid"},
        {"db x.db\n\ndb y.db 9081\n", {"9080", "@c"},
         "c:3: too many positional options have been specified on the command line"},
    };
    for (const auto& [file, args, message] : cases) {
        try {
            auto line = parse_command_line(args, options, positional, test::option_files({{"c", file}}));
            EXPECT_EQ(message, "");
            EXPECT_EQ(line.values["port"].as<int>(), 9080);
        } catch (const UsageError& error) {
            EXPECT_EQ(error.what(), message);
        }
    }
}

TEST(CommandLine, WrongValueCountInAFileNamesFileAndLine)
{
    auto read = test::option_files({{"c", "registry r\npp 1194 udp\npp 1195\n"}});
    auto line = parse_command_line({"@c"}, daemon_options(), {}, read);
    EXPECT_EQ(line.origins["pp"], (Tokens{"c:2: ", "c:3: "}));
    EXPECT_EQ(line.origins["registry"], (Tokens{"c:1: "}));
    try {
        line.groups("pp", 2);
        FAIL();
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "c:3: option '--pp' takes 2 values, not 1");
    }
}

// Found by fuzzing (tests/fuzz/corpus/options/boost_placeholder): Boost
// looped forever writing the error message of an option or value that holds
// one of its own placeholders.
TEST(CommandLine, BoostPlaceholdersAreRefusedNotLoopedOn)
{
    for (const auto& args : std::vector<Tokens>{
             {"--registry", "r", "--bogus%canonical_option%"},
             {"--registry", "r", "--hello", "%value%"},
             {"--registry", "%prefix%", "--hello", "x"},
             {"--registry", "r", "--%option%"},
             {"--registry", "r", "--x%original_token%"},
         }) {
        try {
            parse_command_line(args, daemon_options(), {}, test::option_files({}));
            ADD_FAILURE() << "accepted " << args.back();
        } catch (const UsageError& error) {
            EXPECT_NE(std::string(error.what()).find("holds %"), std::string::npos) << error.what();
        }
    }
    // Other uses of % are values like any other, and OpenVPN's arguments
    // are not Boost's.
    auto line = parse_command_line({"--registry", "http://r/%41%42", "--", "%value%"},
                                   daemon_options(), {}, test::option_files({}));
    EXPECT_EQ(line.values["registry"].as<std::string>(), "http://r/%41%42");
    EXPECT_EQ(line.after_double_dash, Tokens{"%value%"});
}

TEST(CommandLine, Positional)
{
    po::options_description options;
    options.add_options()("port", po::value<int>()->required())("db", po::value<std::string>());
    po::positional_options_description positional;
    positional.add("port", 1);
    auto line = parse_command_line({"9080", "--db", "x.db"}, options, positional, test::option_files({}));
    EXPECT_EQ(line.values["port"].as<int>(), 9080);
    EXPECT_THROW(parse_command_line({"9080", "9081"}, options, positional, test::option_files({})),
                 UsageError);
}
