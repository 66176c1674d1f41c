// Token mail sent through an SMTP relay with libcurl: a timeout on the whole
// exchange, optional STARTTLS (required when asked) and authentication.
#pragma once

#include "registry/mailer.hpp"

#include <atomic>

namespace re6st::registry {

class SmtpMailer : public Mailer {
public:
    // `url`: smtp://HOST:PORT or smtps://HOST:PORT (see smtp_url()).
    SmtpMailer(std::string url, SmtpSettings settings);
    void send(const MailMessage& message) override;
    void cancel() override { cancelled_ = true; }

private:
    std::string url_;
    SmtpSettings settings_;
    std::atomic<bool> cancelled_{false};
};

}  // namespace re6st::registry
