// Sending the token mail. The registry talks to an SMTP relay (smtp_mailer)
// or, in closed networks and the demo, appends to a local mbox file
// (mbox_mailer); `--mailhost` chooses.
#pragma once

#include <chrono>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace re6st::registry {

class MailError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct MailMessage {
    std::string from;
    std::string to;
    std::string subject;
    std::string body;   // lines separated by "\n"
};

// Whether `address` is a plain addr-spec (local@domain) that is safe to put
// in a header and an SMTP envelope: printable ASCII, no spaces, no quoting,
// no angle brackets, at most 254 characters.
bool is_mail_address(std::string_view address);

// The message as RFC 5322 text with CRLF line ends. Throws MailError when a
// header field would break out of its line.
std::string format_message(const MailMessage& message, std::time_t date);

class Mailer {
public:
    virtual ~Mailer() = default;
    // Blocks until the message is handed over; throws MailError.
    virtual void send(const MailMessage& message) = 0;
    // Makes sends in progress, and later ones, fail at once (at shutdown).
    virtual void cancel() = 0;
};

struct SmtpSettings {
    bool starttls = false;            // refuse to send without STARTTLS
    std::string username;             // empty: no authentication
    std::string password;
    std::string ca_file;              // CAs that sign the relay's certificate; empty: the system's
    std::chrono::seconds timeout{30};   // for the whole exchange
};

// A --mailhost that contains a "/" and no "://" names an mbox file.
bool names_mbox_file(std::string_view mailhost);
// HOST, HOST:PORT, [IPV6]:PORT, a bare IPv6 address, or an smtp:// or smtps://
// URL, as a libcurl URL (port 25 by default). Throws MailError when malformed.
std::string smtp_url(std::string_view mailhost);

std::unique_ptr<Mailer> make_mailer(const std::string& mailhost, const SmtpSettings& settings);

}  // namespace re6st::registry
