// Token mail appended to a local mbox file instead of sent (closed networks,
// the demo, tests). The file holds tokens: it is created mode 0600.
#pragma once

#include "registry/mailer.hpp"

namespace re6st::registry {

class MboxMailer : public Mailer {
public:
    explicit MboxMailer(std::string path) : path_(std::move(path)) {}
    void send(const MailMessage& message) override;
    void cancel() override {}   // appending never waits on anyone

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// The mbox entry of a message: a "From " separator line, the message with LF
// line ends and its "From " lines quoted (mboxrd), and a blank line.
std::string mbox_entry(const MailMessage& message, std::time_t date);

}  // namespace re6st::registry
