// The renewal schedule.
#include "re6stnet/certificate_schedule.hpp"

#include <algorithm>

namespace re6st {

using std::chrono::seconds;

seconds RenewalSchedule::lifetime(const CertificateDates& dates)
{
    auto span = std::chrono::duration_cast<seconds>(dates.not_after - dates.not_before);
    if (span <= seconds(0))
        return seconds(0);
    return span > backdating ? span - backdating : span;
}

WallTime RenewalSchedule::renewal_time(const CertificateDates& dates)
{
    return dates.not_after - std::min<seconds>(longest_window, lifetime(dates) / 3);
}

WallTime RenewalSchedule::retry_time(const CertificateDates& dates, WallTime now,
                                     unsigned failures)
{
    auto left = std::chrono::duration_cast<seconds>(dates.not_after - now);
    if (left <= seconds(0))
        return now + expired_retry;
    auto backoff = first_retry;
    for (unsigned i = 1; i < failures && backoff < left; ++i)
        backoff *= 2;
    return now + std::max(seconds(1), std::min(backoff, left / 10));
}

bool RenewalSchedule::urgent(const CertificateDates& dates, WallTime now)
{
    return dates.not_after - now < lifetime(dates) / 10;
}

}  // namespace re6st
