// Token mail through SMTP, with libcurl.
#include "registry/smtp_mailer.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace re6st::registry {

namespace {

struct EasyDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Upload {
    std::string_view rest;
    const std::atomic<bool>* cancelled;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user)
{
    auto& upload = *static_cast<Upload*>(user);
    auto n = std::min(size * count, upload.rest.size());
    std::memcpy(buffer, upload.rest.data(), n);
    upload.rest.remove_prefix(n);
    return n;
}

// libcurl calls this about once a second even while it waits on the server.
int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    return static_cast<Upload*>(user)->cancelled->load() ? 1 : 0;
}

}  // namespace

SmtpMailer::SmtpMailer(std::string url, SmtpSettings settings)
    : url_(std::move(url)), settings_(std::move(settings))
{
    // curl_global_init is not thread-safe in every build: do it once, before
    // any worker thread sends.
    static std::once_flag initialised;
    std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void SmtpMailer::send(const MailMessage& message)
{
    if (cancelled_)
        throw MailError("mail cancelled: the registry is stopping");
    auto text = format_message(message, std::time(nullptr));
    Upload upload{text, &cancelled_};

    std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
    if (!curl)
        throw MailError("cannot initialise libcurl");
    std::unique_ptr<curl_slist, ListDeleter> recipients(
        curl_slist_append(nullptr, ("<" + message.to + ">").c_str()));
    if (!recipients)
        throw MailError("out of memory");
    auto from = "<" + message.from + ">";
    long timeout = long(settings_.timeout.count());

    auto* handle = curl.get();
    curl_easy_setopt(handle, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(handle, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &upload);
    // Worker threads must not get SIGALRM from libcurl's resolver timeouts.
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, std::min(timeout, 10L));
    if (settings_.starttls)
        curl_easy_setopt(handle, CURLOPT_USE_SSL, long(CURLUSESSL_ALL));
    if (!settings_.ca_file.empty())
        curl_easy_setopt(handle, CURLOPT_CAINFO, settings_.ca_file.c_str());
    if (!settings_.username.empty()) {
        curl_easy_setopt(handle, CURLOPT_USERNAME, settings_.username.c_str());
        curl_easy_setopt(handle, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);

    CURLcode code = curl_easy_perform(handle);
    if (code != CURLE_OK)
        throw MailError("cannot send mail to " + message.to + " through " + url_ + ": "
                        + (*error ? error : curl_easy_strerror(code)));
}

}  // namespace re6st::registry
