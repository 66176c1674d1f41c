// Token mail appended to an mbox file.
#include "registry/mbox_mailer.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace re6st::registry {

std::string mbox_entry(const MailMessage& message, std::time_t date)
{
    std::tm utc;
    gmtime_r(&date, &utc);
    char stamp[64];
    std::strftime(stamp, sizeof stamp, "%a %b %e %H:%M:%S %Y", &utc);
    std::string entry = "From " + message.from + " " + stamp + "\n";

    auto text = format_message(message, date);
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find("\r\n", start);
        auto line = std::string_view(text).substr(start, end - start);
        start = end + 2;
        // mboxrd: ">From ", ">>From ", ... gain one more ">".
        auto first = line.find_first_not_of('>');
        if (first != line.npos && line.substr(first).starts_with("From "))
            entry += '>';
        entry.append(line);
        entry += '\n';
    }
    entry += '\n';
    return entry;
}

namespace {

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

}  // namespace

void MboxMailer::send(const MailMessage& message)
{
    auto entry = mbox_entry(message, std::time(nullptr));
    auto fail = [&](const char* what) {
        return MailError(std::string(what) + " " + path_ + ": " + std::strerror(errno));
    };
    Fd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0)
        throw fail("cannot open mbox");
    // Mail readers and other writers lock the whole file.
    if (::flock(fd.get(), LOCK_EX) != 0)
        throw fail("cannot lock mbox");
    std::string_view rest = entry;
    while (!rest.empty()) {
        auto written = ::write(fd.get(), rest.data(), rest.size());
        if (written < 0) {
            if (errno == EINTR)
                continue;
            throw fail("cannot write to mbox");
        }
        rest.remove_prefix(std::size_t(written));
    }
}

}  // namespace re6st::registry
