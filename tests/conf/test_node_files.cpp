// The enrolled node's files and the option file for "re6stnet @DIR/re6stnet.conf".
#include "conf/node_files.hpp"

#include "common/options.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace re6st::conf;

TEST(NodeFiles, NamesInTheDirectory)
{
    NodeFiles files("/etc/re6stnet/");
    EXPECT_EQ(files.directory, "/etc/re6stnet");
    EXPECT_EQ(files.ca(), "/etc/re6stnet/ca.pem");
    EXPECT_EQ(files.key(), "/etc/re6stnet/cert.key");
    EXPECT_EQ(files.cert(), "/etc/re6stnet/cert.crt");
    EXPECT_EQ(files.dh(), "/etc/re6stnet/dh2048.pem");
    EXPECT_EQ(files.option_file(), "/etc/re6stnet/re6stnet.conf");
}

TEST(NodeFiles, RelativeDirectoryBecomesAbsolute)
{
    NodeFiles files("node/../node1/.");
    EXPECT_EQ(files.directory, std::filesystem::current_path() / "node1");
}

TEST(NodeFiles, OptionFileNamesRegistryAndFiles)
{
    auto text = daemon_option_file(Url::parse("http://[2001:db8::1]:9080"), NodeFiles("/etc/re6stnet"));
    EXPECT_EQ(text,
              "# Written by re6st-conf, rewritten at each enrolment: keep other options\n"
              "# in a file of your own. Start the node with\n"
              "#   re6stnet @/etc/re6stnet/re6stnet.conf\n"
              "registry http://[2001:db8::1]:9080/\n"
              "ca /etc/re6stnet/ca.pem\n"
              "cert /etc/re6stnet/cert.crt\n"
              "key /etc/re6stnet/cert.key\n"
              "dh /etc/re6stnet/dh2048.pem\n");
}

// What the daemon's option parser makes of it.
TEST(NodeFiles, OptionFileReadsBackAsDaemonOptions)
{
    auto text = daemon_option_file(Url::parse("http://192.0.2.42/"), NodeFiles("/var/n"));
    EXPECT_EQ(parse_option_file(text, "re6stnet.conf"),
              (std::vector<std::string>{"--registry", "http://192.0.2.42:80/", "--ca", "/var/n/ca.pem",
                                        "--cert", "/var/n/cert.crt", "--key", "/var/n/cert.key",
                                        "--dh", "/var/n/dh2048.pem"}));
}

TEST(NodeFiles, PathsAnOptionFileCannotHoldAreRefused)
{
    for (const char* directory : {"/tmp/my node", "/tmp/node#1", "/tmp/tab\there"}) {
        try {
            daemon_option_file(Url::parse("http://h/"), NodeFiles(directory));
            ADD_FAILURE() << directory;
        } catch (const UsageError& error) {
            EXPECT_EQ(std::string(error.what()),
                      "\"" + std::string(directory)
                          + "\" cannot be written in an option file: it contains a "
                            "blank, a control character or '#'");
        }
    }
    EXPECT_THROW(daemon_option_file(Url::parse("http://h/a#b"), NodeFiles("/n")), UsageError);
}
