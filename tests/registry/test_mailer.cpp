// Token mails: addresses, message text, the --mailhost forms, mbox files.
// (SMTP itself is tested against a real server in test_registry_smtp.py.)
#include "registry/mailer.hpp"
#include "registry/mbox_mailer.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

using namespace re6st::registry;

TEST(MailAddress, PlainAddressesOnly)
{
    for (const char* good : {"a@example.org", "first.last+tag@sub.example.org", "x@y",
                             "o'brien@example.org"})
        EXPECT_TRUE(is_mail_address(good)) << good;
    for (const char* bad : {"", "@example.org", "a@", "a", "a@b@c", "a b@example.org",
                            "a@example.org\r\nBcc: x@y", "<a@example.org>", "\"a\"@example.org",
                            "a@example..org", "a@.example.org", "a@example.org.",
                            "Name <a@example.org>", "a@exa(mple).org", "a\t@example.org",
                            "\xc3\xa9@example.org"})
        EXPECT_FALSE(is_mail_address(bad)) << bad;
    EXPECT_TRUE(is_mail_address(std::string(240, 'a') + "@example.org"));
    EXPECT_FALSE(is_mail_address(std::string(243, 'a') + "@example.org"));
}

TEST(MailMessage, Rfc5322TextWithCrlf)
{
    MailMessage message{"registry@example.org", "a@example.org", "[re6stnet] Token Request",
                        "Hello\n\nYour token: abc\n"};
    EXPECT_EQ(format_message(message, 0),
              "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
              "From: registry@example.org\r\n"
              "To: a@example.org\r\n"
              "Subject: [re6stnet] Token Request\r\n"
              "MIME-Version: 1.0\r\n"
              "Content-Type: text/plain; charset=utf-8\r\n"
              "Content-Transfer-Encoding: 8bit\r\n"
              "\r\n"
              "Hello\r\n"
              "\r\n"
              "Your token: abc\r\n");
}

TEST(MailMessage, HeaderInjectionRefused)
{
    MailMessage message{"registry@example.org", "a@example.org\r\nBcc: b@example.org", "s", "b"};
    EXPECT_THROW(format_message(message, 0), MailError);
    message.to = "a@example.org";
    message.subject = "s\nX-Injected: 1";
    EXPECT_THROW(format_message(message, 0), MailError);
}

TEST(MailHost, MboxPathsAndSmtpUrls)
{
    EXPECT_TRUE(names_mbox_file("/var/mail/re6st"));
    EXPECT_TRUE(names_mbox_file("./tokens.mbox"));
    EXPECT_FALSE(names_mbox_file("localhost"));
    EXPECT_FALSE(names_mbox_file("smtp://mail.example.org/"));

    struct Case { const char* mailhost; const char* url; };
    for (auto [mailhost, url] : {
             Case{"localhost", "smtp://localhost:25"},
             Case{"mail.example.org:2525", "smtp://mail.example.org:2525"},
             Case{"192.0.2.1", "smtp://192.0.2.1:25"},
             Case{"192.0.2.1:587", "smtp://192.0.2.1:587"},
             Case{"::1", "smtp://[::1]:25"},
             Case{"2001:db8::25", "smtp://[2001:db8::25]:25"},
             Case{"[2001:db8::25]", "smtp://[2001:db8::25]:25"},
             Case{"[::1]:2525", "smtp://[::1]:2525"},
             Case{"smtp://relay:587", "smtp://relay:587"},
             Case{"smtps://relay:465", "smtps://relay:465"},
         })
        EXPECT_EQ(smtp_url(mailhost), url) << mailhost;
    for (const char* bad : {"", "host:", "host:0", "host:65536", "host:x", "[::1", "[::1]x",
                            "[]:25", "http://relay", "relay host", "host:25\r\n"})
        EXPECT_THROW(smtp_url(bad), MailError) << bad;
}

TEST(Mbox, EntryQuotesFromLines)
{
    MailMessage message{"r@example.org", "a@example.org", "s",
                        "From here\n>From there\nnot From\n"};
    auto entry = mbox_entry(message, 0);
    EXPECT_TRUE(entry.starts_with("From r@example.org Thu Jan  1 00:00:00 1970\n")) << entry;
    EXPECT_NE(entry.find("\n>From here\n>>From there\nnot From\n\n"), entry.npos) << entry;
    EXPECT_EQ(entry.find('\r'), entry.npos);
    EXPECT_TRUE(entry.ends_with("\n\n"));
}

TEST(Mbox, AppendsToAPrivateFile)
{
    auto path = ::testing::TempDir() + "/mbox_" + std::to_string(::getpid());
    std::remove(path.c_str());
    MboxMailer mailer(path);
    mailer.send({"r@example.org", "a@example.org", "first", "token one\n"});
    mailer.send({"r@example.org", "b@example.org", "second", "token two\n"});

    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    auto contents = text.str();
    auto first = contents.find("Subject: first\n");
    auto second = contents.find("Subject: second\n");
    EXPECT_NE(first, contents.npos);
    EXPECT_NE(second, contents.npos);
    EXPECT_LT(first, second);
    EXPECT_NE(contents.find("\ntoken two\n"), contents.npos);
    std::remove(path.c_str());
}

TEST(Mbox, UnwritableFileIsAMailError)
{
    MboxMailer mailer("/nonexistent-directory/mbox");
    try {
        mailer.send({"r@example.org", "a@example.org", "s", "b"});
        FAIL() << "sent into a missing directory";
    } catch (const MailError& error) {
        EXPECT_NE(std::string(error.what()).find("/nonexistent-directory/mbox"), std::string::npos);
    }
}
