// Command lines and @FILE option files (SPEC A.5).
#include "common/options.hpp"

#include "support/option_files.hpp"

#include <gtest/gtest.h>

#include <map>

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
