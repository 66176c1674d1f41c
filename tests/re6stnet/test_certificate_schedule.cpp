// The renewal schedule: when a certificate is renewed, how failed attempts
// are spaced, when a failure becomes an error.
#include "re6stnet/certificate_schedule.hpp"

#include <gtest/gtest.h>

using namespace re6st;
using namespace std::chrono_literals;

namespace {

const WallTime issued = WallTime() + std::chrono::days(20000);

// As the registry issues them: notBefore an hour before the issue.
CertificateDates issued_for(std::chrono::seconds validity)
{
    return {issued - 1h, issued + validity};
}

}  // namespace

TEST(RenewalSchedule, YearLongCertificateIsRenewed30DaysBeforeExpiry)
{
    auto dates = issued_for(std::chrono::days(365));
    EXPECT_EQ(RenewalSchedule::lifetime(dates), std::chrono::days(365));
    EXPECT_EQ(RenewalSchedule::renewal_time(dates), dates.not_after - std::chrono::days(30));
}

TEST(RenewalSchedule, FiveMinuteCertificateIsRenewed100SecondsBeforeExpiry)
{
    // The backdating hour does not count: renewing at once (a third of 65
    // minutes is more than 5) would renew again and again.
    auto dates = issued_for(5min);
    EXPECT_EQ(RenewalSchedule::lifetime(dates), 5min);
    EXPECT_EQ(RenewalSchedule::renewal_time(dates), dates.not_after - 100s);
    EXPECT_GT(RenewalSchedule::renewal_time(dates), issued);
}

TEST(RenewalSchedule, CertificateNotBackdated)
{
    // Made by hand, valid from its issue: its whole span is the lifetime
    // but for the hour taken off spans longer than an hour.
    CertificateDates made{issued, issued + std::chrono::days(100)};
    EXPECT_EQ(RenewalSchedule::renewal_time(made), made.not_after - std::chrono::days(30));
    CertificateDates short_one{issued, issued + 30min};
    EXPECT_EQ(RenewalSchedule::renewal_time(short_one), short_one.not_after - 10min);
}

TEST(RenewalSchedule, RenewedCertificateIsNotRenewedAgainAtOnce)
{
    // Each renewal gives a certificate whose renewal time is later than now.
    auto now = issued;
    auto dates = issued_for(5min);
    for (int i = 0; i < 5; ++i) {
        auto next = RenewalSchedule::renewal_time(dates);
        ASSERT_GT(next, now);
        EXPECT_EQ(next - now, 200s);
        now = next;
        dates = {now - 1h, now + 5min};
    }
}

TEST(RenewalSchedule, RetriesBackOffButNeverMoreThanATenthOfWhatIsLeftApart)
{
    auto dates = issued_for(std::chrono::days(365));
    auto now = RenewalSchedule::renewal_time(dates);   // 30 days left
    EXPECT_EQ(RenewalSchedule::retry_time(dates, now, 1) - now, 30s);
    EXPECT_EQ(RenewalSchedule::retry_time(dates, now, 2) - now, 60s);
    EXPECT_EQ(RenewalSchedule::retry_time(dates, now, 5) - now, 480s);
    // 3 days, a tenth of 30 days, however many failures.
    EXPECT_EQ(RenewalSchedule::retry_time(dates, now, 40) - now, std::chrono::days(3));
    EXPECT_EQ(RenewalSchedule::retry_time(dates, now, 1000) - now, std::chrono::days(3));

    auto late = dates.not_after - 100s;
    EXPECT_EQ(RenewalSchedule::retry_time(dates, late, 1) - late, 10s);
    auto last = dates.not_after - 5s;
    EXPECT_EQ(RenewalSchedule::retry_time(dates, last, 3) - last, 1s);
}

TEST(RenewalSchedule, ExpiredCertificateIsRetriedEveryMinute)
{
    auto dates = issued_for(5min);
    auto now = dates.not_after + 1h;
    EXPECT_EQ(RenewalSchedule::retry_time(dates, now, 7) - now, 60s);
}

TEST(RenewalSchedule, FailureIsUrgentInTheLastTenth)
{
    // A tenth of a year is more than the 30-day window: every failure to
    // renew a year-long certificate is an error.
    auto dates = issued_for(std::chrono::days(365));
    EXPECT_FALSE(RenewalSchedule::urgent(dates, dates.not_after - std::chrono::days(37)));
    EXPECT_TRUE(RenewalSchedule::urgent(dates, dates.not_after - std::chrono::days(36)));
    EXPECT_TRUE(RenewalSchedule::urgent(dates, RenewalSchedule::renewal_time(dates)));
    auto short_one = issued_for(5min);
    EXPECT_FALSE(RenewalSchedule::urgent(short_one, short_one.not_after - 31s));
    EXPECT_TRUE(RenewalSchedule::urgent(short_one, short_one.not_after - 29s));
    EXPECT_TRUE(RenewalSchedule::urgent(short_one, short_one.not_after + 1s));
}
