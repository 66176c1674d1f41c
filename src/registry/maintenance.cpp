// The registry's background work.
#include "registry/maintenance.hpp"

#include "common/duration.hpp"
#include "common/log.hpp"
#include "common/utc_time.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace re6st::registry {

namespace {

using namespace std::chrono_literals;

constexpr std::int64_t day = 86400;   // seconds

// "1 prefix", "2 prefixes".
std::string count_of(std::size_t n, const char* one, const char* many)
{
    auto text = std::to_string(n);
    text += ' ';
    text += n == 1 ? one : many;
    return text;
}

}  // namespace

std::chrono::seconds maintenance_interval(std::chrono::seconds grace_period)
{
    return std::clamp<std::chrono::seconds>(grace_period / 4, 10s, 1h);
}

std::optional<std::string> ca_expiry_warning(const Certificate& ca, std::int64_t now)
{
    std::int64_t end = ca.not_after();
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict) about
    // "literal" + std::string&&, wrongly.
    std::string warning = "the CA certificate ";
    if (end <= now) {
        warning += "expired on ";
        warning += utc_time(end);
        warning += ": nodes refuse the certificates it signs";
    } else if (end - now <= ca_warning_period.count()) {
        warning += "expires on ";
        warning += utc_time(end);
        warning += ", in ";
        warning += count_of(std::size_t((end - now) / day), "day", "days");
    } else {
        return std::nullopt;
    }
    warning += ": replace it by one of the same key, serial and subject with a later end"
               " (see re6st-registry(8), CA CERTIFICATE) and restart re6st-registry";
    return warning;
}

Maintenance::Maintenance(boost::asio::io_context& io, RegistryService& service, Certificate ca,
                         std::size_t batch, Clock clock)
    : io_(io),
      service_(service),
      ca_(std::move(ca)),
      batch_(std::max<std::size_t>(batch, 1)),
      clock_(std::move(clock)),
      interval_(maintenance_interval(service.settings().grace_period)),
      timer_(io)
{
}

Maintenance::~Maintenance() { stop(); }

Maintenance::Report Maintenance::run()
{
    Report report;
    try {
        report.tokens = service_.purge_tokens();
        report.revocations = service_.purge_revocations();
        for (;;) {
            auto freed = service_.reclaim_prefixes(batch_).size();
            report.prefixes += freed;
            if (freed < batch_ || stopped_)
                break;
        }
        for (;;) {
            auto forgotten = std::size_t(service_.purge_certificates(batch_));
            report.certificates += forgotten;
            if (forgotten < batch_ || stopped_)
                break;
        }
    } catch (const std::exception& error) {
        log::error("reclaiming expired prefixes and tokens: ", error.what());
    }
    if (report.prefixes > 0 || report.tokens > 0)
        log::info("reclaimed ", count_of(report.prefixes, "prefix", "prefixes"),
                  " expired more than ", format_duration(service_.settings().grace_period),
                  " ago; deleted ", count_of(std::size_t(report.tokens), "expired token",
                                             "expired tokens"));
    // Bookkeeping only: no node accepts an expired certificate anyway.
    if (report.certificates > 0)
        log::debug("forgot the records of ",
                   count_of(report.certificates, "expired certificate", "expired certificates"));
    if (report.revocations > 0)
        log::info("forgot ", count_of(std::size_t(report.revocations), "revoked certificate",
                                      "revoked certificates"),
                  " past its end");
    auto now = clock_();
    if (now >= next_ca_check_) {
        if (auto warning = ca_expiry_warning(ca_, now))
            log::warning(*warning);
        next_ca_check_ = now + day;
    }
    return report;
}

void Maintenance::start()
{
    boost::asio::post(worker_, [this] { run_then_schedule(); });
}

void Maintenance::run_then_schedule()
{
    if (stopped_)
        return;
    run();
    boost::asio::post(io_, [this] { schedule(); });
}

void Maintenance::schedule()
{
    if (stopped_)
        return;
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error && !stopped_)
            boost::asio::post(worker_, [this] { run_then_schedule(); });
    });
}

void Maintenance::stop()
{
    stopped_ = true;
    timer_.cancel();
    worker_.join();
}

}  // namespace re6st::registry
