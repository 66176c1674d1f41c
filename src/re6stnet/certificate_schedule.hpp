// When the node renews its certificate: a pure function of the
// certificate's dates and the time, so that the whole schedule is tested
// without waiting (docs/re6stnet.rst, CERTIFICATES).
#pragma once

#include <chrono>

namespace re6st {

using WallTime = std::chrono::system_clock::time_point;

struct CertificateDates {
    WallTime not_before, not_after;
};

struct RenewalSchedule {
    // The registry backdates notBefore by this much for peers whose clock
    // lags: that hour is not part of the lifetime the schedule divides.
    static constexpr std::chrono::seconds backdating = std::chrono::hours(1);
    // The renewal window never starts earlier than this before expiry.
    static constexpr std::chrono::seconds longest_window = std::chrono::days(30);
    // The first retry after a failure; each next one waits twice as long.
    static constexpr std::chrono::seconds first_retry{30};
    // An expired certificate is retried this often (within the registry's
    // grace period it can still be renewed).
    static constexpr std::chrono::seconds expired_retry{60};

    // notAfter - notBefore, less the backdating when it is longer than that.
    static std::chrono::seconds lifetime(const CertificateDates& dates);
    // min(30 days, a third of the lifetime) before notAfter.
    static WallTime renewal_time(const CertificateDates& dates);
    // When to try again after `failures` (1 or more) failed attempts, the
    // last one at `now`: back-off doubling from first_retry, never more than
    // a tenth of the time left until notAfter apart (and at least a second).
    static WallTime retry_time(const CertificateDates& dates, WallTime now, unsigned failures);
    // A failed attempt is an error, not a warning, once less than a tenth of
    // the lifetime remains.
    static bool urgent(const CertificateDates& dates, WallTime now);
};

}  // namespace re6st
