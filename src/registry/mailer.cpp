// Mail messages, and the choice between SMTP and an mbox file.
#include "registry/mailer.hpp"

#include "registry/mbox_mailer.hpp"
#include "registry/smtp_mailer.hpp"

#include <algorithm>

namespace re6st::registry {

bool is_mail_address(std::string_view address)
{
    auto at = address.rfind('@');
    if (address.size() > 254 || at == address.npos || at == 0 || at + 1 == address.size())
        return false;
    auto domain = address.substr(at + 1);
    if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != domain.npos)
        return false;
    return std::all_of(address.begin(), address.end(), [](char c) {
        return c > ' ' && c < 0x7f && std::string_view("<>()[]\\,;:\"").find(c) == std::string_view::npos;
    }) && address.find('@') == at;
}

namespace {

void check_header(std::string_view name, std::string_view value)
{
    if (value.find_first_of("\r\n") != value.npos || value.find('\0') != value.npos)
        throw MailError("line break in the " + std::string(name) + " header of a mail");
}

}  // namespace

std::string format_message(const MailMessage& message, std::time_t date)
{
    check_header("From", message.from);
    check_header("To", message.to);
    check_header("Subject", message.subject);
    std::tm utc;
    gmtime_r(&date, &utc);
    char stamp[64];
    std::strftime(stamp, sizeof stamp, "%a, %d %b %Y %H:%M:%S +0000", &utc);

    std::string text = std::string("Date: ") + stamp + "\r\n"
        + "From: " + message.from + "\r\n"
        + "To: " + message.to + "\r\n"
        + "Subject: " + message.subject + "\r\n"
        + "MIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n"
          "Content-Transfer-Encoding: 8bit\r\n"
          "\r\n";
    for (char c : message.body) {
        if (c == '\n')
            text += '\r';
        if (c != '\r')
            text += c;
    }
    if (!text.ends_with("\r\n"))
        text += "\r\n";
    return text;
}

bool names_mbox_file(std::string_view mailhost)
{
    return mailhost.find('/') != mailhost.npos && mailhost.find("://") == mailhost.npos;
}

std::string smtp_url(std::string_view mailhost)
{
    auto bad = [&](const char* why) {
        return MailError("bad mail host \"" + std::string(mailhost) + "\": " + why);
    };
    if (mailhost.empty())
        throw bad("empty");
    if (mailhost.find_first_of(" \t\r\n") != mailhost.npos)
        throw bad("contains white space");
    if (mailhost.starts_with("smtp://") || mailhost.starts_with("smtps://"))
        return std::string(mailhost);
    if (mailhost.find("://") != mailhost.npos)
        throw bad("only smtp:// and smtps:// URLs are supported");

    std::string host(mailhost), port = "25";
    if (mailhost.front() == '[') {
        auto close = mailhost.find(']');
        if (close == mailhost.npos)
            throw bad("unbalanced '['");
        host = mailhost.substr(0, close + 1);
        auto rest = mailhost.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                throw bad("expected :PORT after ']'");
            port = rest.substr(1);
        }
    } else if (std::count(mailhost.begin(), mailhost.end(), ':') > 1) {
        host = "[" + host + "]";   // a bare IPv6 address
    } else if (auto colon = mailhost.find(':'); colon != mailhost.npos) {
        host = mailhost.substr(0, colon);
        port = mailhost.substr(colon + 1);
    }
    if (host.empty() || host == "[]")
        throw bad("no host");
    if (port.empty() || port.size() > 5
        || port.find_first_not_of("0123456789") != port.npos || std::stoul(port) == 0
        || std::stoul(port) > 65535)
        throw bad("bad port");
    return "smtp://" + host + ":" + port;
}

std::unique_ptr<Mailer> make_mailer(const std::string& mailhost, const SmtpSettings& settings)
{
    if (names_mbox_file(mailhost))
        return std::make_unique<MboxMailer>(mailhost);
    return std::make_unique<SmtpMailer>(smtp_url(mailhost), settings);
}

}  // namespace re6st::registry
