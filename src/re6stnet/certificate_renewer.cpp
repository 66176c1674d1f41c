// Renewing the node's certificate and refreshing its CA certificate.
#include "re6stnet/certificate_renewer.hpp"

#include "common/atomic_file.hpp"
#include "common/log.hpp"
#include "common/utc_time.hpp"
#include "re6stnet/process/command.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace re6st {

namespace {

using namespace std::chrono_literals;

constexpr auto request_timeout = 10s;   // openssl making the CSR

std::string utc(WallTime time)
{
    return utc_time(std::chrono::system_clock::to_time_t(time));
}

std::string in_seconds(std::chrono::system_clock::duration duration)
{
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count())
        + " s";
}

// The file's permissions, kept by its replacement.
mode_t mode_of(const std::string& path, mode_t fallback)
{
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : fallback;
}

std::string contents_of(const std::string& path)
{
    std::ifstream file(path);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// The PEM block of `kind` in `text` (openssl's output may have more).
std::optional<std::string> pem_block(const std::string& text, const std::string& kind)
{
    auto begin = text.find("-----BEGIN " + kind + "-----");
    std::string end_line = "-----END " + kind + "-----";
    auto end = text.find(end_line, begin);
    if (begin == std::string::npos || end == std::string::npos)
        return std::nullopt;
    return text.substr(begin, end + end_line.size() - begin) + "\n";
}

}  // namespace

template <class F>
auto CertificateRenewer::guarded(F action)
{
    return [alive = std::weak_ptr<bool>(alive_), action = std::move(action)](auto&&... args) {
        if (alive.lock())
            action(std::forward<decltype(args)>(args)...);
    };
}

CertificateRenewer::CertificateRenewer(const ProcessContext& context, Registry& registry,
                                       OpenSslTool openssl, Files files,
                                       CertificateDates certificate, CertificateDates ca,
                                       WallClock wall)
    : context_(context), registry_(registry), openssl_(std::move(openssl)),
      files_(std::move(files)), certificate_(certificate), ca_(ca), wall_(std::move(wall)),
      renewal_timer_(context.clock.make_timer()), ca_timer_(context.clock.make_timer())
{
}

CertificateRenewer::~CertificateRenewer() = default;

void CertificateRenewer::start()
{
    auto at = RenewalSchedule::renewal_time(certificate_);
    log::info("certificate ", files_.cert, " valid until ", utc(certificate_.not_after),
              "; renewing it from ", utc(at));
    schedule(at);
    warn_if_ca_expires();
    context_.clock.wait_for(*ca_timer_, ca_check_period, [this] { check_ca(); });
}

void CertificateRenewer::schedule(WallTime at)
{
    auto delay = std::max(at - wall_(), std::chrono::system_clock::duration(0));
    context_.clock.wait_for(*renewal_timer_,
                            std::chrono::duration_cast<std::chrono::milliseconds>(delay),
                            [this] { attempt({}); });
}

void CertificateRenewer::renew_now(Renewed done)
{
    attempt(std::move(done));
}

void CertificateRenewer::attempt(Renewed done)
{
    if (in_flight_)
        return;
    in_flight_ = true;
    log::info("renewing the certificate ", files_.cert, " (valid until ",
              utc(certificate_.not_after), ")");
    run_command_async(context_, openssl_.request_command(files_.cert, files_.key), "",
                      request_timeout, guarded([this, done](CommandResult result) {
                          request_made(result, done);
                      }));
}

void CertificateRenewer::request_made(const CommandResult& result, Renewed done)
{
    auto csr = pem_block(result.output, "CERTIFICATE REQUEST");
    if (result.status != 0 || !csr) {
        auto why = "cannot make a certificate request: openssl: "
                   + result.output.substr(0, result.output.find('\n'));
        failed(why);
        if (done)
            done(why, false);
        return;
    }
    registry_.renew_certificate(*csr, guarded([this, done](std::optional<std::string> pem,
                                                           const std::string& error, bool refused) {
        answered(pem, error, refused, done);
    }));
}

void CertificateRenewer::answered(const std::optional<std::string>& pem, const std::string& error,
                                  bool refused, Renewed done)
{
    auto previous = certificate_.not_after;
    std::string why = pem ? install_certificate(*pem) : error;
    if (!why.empty()) {
        failed(why);
        if (done)
            done(why, refused);
        return;
    }
    in_flight_ = false;
    failures_ = 0;
    ++renewals_;
    auto next = RenewalSchedule::renewal_time(certificate_);
    log::info("renewed the certificate ", files_.cert, ": valid until ",
              utc(certificate_.not_after), "; next renewal from ", utc(next));
    schedule(next);
    if (changed)
        changed(previous);
    check_ca();
    if (done)
        done("", false);
}

void CertificateRenewer::failed(const std::string& why)
{
    in_flight_ = false;
    ++failures_;
    auto now = wall_();
    auto retry = RenewalSchedule::retry_time(certificate_, now, failures_);
    auto message = "cannot renew the certificate " + files_.cert + " (valid until "
                   + utc(certificate_.not_after) + "): " + why + "; trying again in "
                   + in_seconds(retry - now);
    if (RenewalSchedule::urgent(certificate_, now))
        log::error(message);
    else
        log::warning(message);
    schedule(retry);
}

std::string CertificateRenewer::install_certificate(const std::string& pem)
{
    try {
        AtomicFile file(files_.cert, mode_of(files_.cert, 0644));
        file.write(pem);
        auto candidate = file.temporary_path().string();
        if (auto why = openssl_.verify(candidate, files_.ca); !why.empty())
            return "the registry sent a certificate that is not valid for the CA: " + why;
        if (!openssl_.matches_key(candidate, files_.key))
            return "the registry sent a certificate for another key";
        if (openssl_.subject(candidate) != openssl_.subject(files_.cert))
            return "the registry sent a certificate for another subject";
        auto dates = openssl_.dates(candidate);
        if (dates.not_after <= certificate_.not_after)
            return "the registry sent a certificate that expires no later than ours";
        file.commit();
        certificate_ = dates;
        return "";
    } catch (const std::exception& error) {
        return error.what();
    }
}

void CertificateRenewer::check_ca()
{
    context_.clock.wait_for(*ca_timer_, ca_check_period, [this] { check_ca(); });
    registry_.ca_certificate(guarded([this](std::optional<std::string> pem,
                                            const std::string& error) {
        if (pem)
            install_ca(*pem);
        else
            log::warning("cannot fetch the registry's CA certificate: ", error);
        warn_if_ca_expires();
    }));
}

void CertificateRenewer::install_ca(const std::string& pem)
{
    if (pem == contents_of(files_.ca) || pem == ignored_ca_)
        return;
    std::string why;
    try {
        AtomicFile file(files_.ca, mode_of(files_.ca, 0644));
        file.write(pem);
        auto candidate = file.temporary_path().string();
        CertificateDates dates;
        if (auto error = openssl_.verify(candidate, candidate); !error.empty())
            why = "it is not a valid self-signed CA certificate: " + error;
        else if (openssl_.public_key(candidate) != openssl_.public_key(files_.ca))
            why = "its key is not ours";
        else if (openssl_.subject(candidate) != openssl_.subject(files_.ca))
            why = "its subject is not ours";
        else if (openssl_.serial(candidate) != openssl_.serial(files_.ca))
            why = "its serial (the network) is not ours";
        else if ((dates = openssl_.dates(candidate)).not_after <= ca_.not_after)
            why = "it expires no later than ours";
        if (why.empty()) {
            file.commit();
            auto previous = ca_.not_after;
            ca_ = dates;
            log::info("replaced the CA certificate ", files_.ca,
                      " by the registry's: valid until ", utc(ca_.not_after));
            if (changed)
                changed(previous);
            return;
        }
    } catch (const std::exception& error) {
        why = error.what();
    }
    ignored_ca_ = pem;
    log::warning("the registry serves another CA certificate than ", files_.ca, ": ", why,
                 "; keeping ours");
}

void CertificateRenewer::warn_if_ca_expires()
{
    auto left = ca_.not_after - wall_();
    if (left <= std::chrono::system_clock::duration(0))
        log::error("the CA certificate ", files_.ca, " expired on ", utc(ca_.not_after),
                   ": no tunnel can be made until the registry's CA certificate is renewed");
    else if (left < ca_warning)
        log::warning("the CA certificate ", files_.ca, " expires on ", utc(ca_.not_after),
                     ": the registry's administrator must renew it");
}

}  // namespace re6st
