// Instants as text, in UTC whatever the local time zone.
#include "common/utc_time.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace re6st;

TEST(UtcTime, WhateverTheLocalZone)
{
    const char* saved = std::getenv("TZ");
    std::string zone = saved ? saved : "";
    ::setenv("TZ", "Pacific/Kiritimati", 1);   // UTC+14
    ::tzset();
    EXPECT_EQ(utc_time(0), "1970-01-01 00:00:00 UTC");
    EXPECT_EQ(utc_time(1796583440), "2026-12-06 18:57:20 UTC");
    if (saved)
        ::setenv("TZ", zone.c_str(), 1);
    else
        ::unsetenv("TZ");
    ::tzset();
}
