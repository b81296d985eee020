// Campaign time: RFC 3339 parsing and formatting, local days, minutes of day and daily windows.
#include "uudai/campaign_time.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

namespace uudai {
namespace {

// 2026-10-10T05:00:00Z, i.e. 2026-10-10T12:00:00+07:00.
constexpr std::int64_t kOct10NoonVietnam = 1'791'608'400'000;
// 2026-10-09T17:00:00Z, i.e. local midnight starting 2026-10-10 in Vietnam.
constexpr std::int64_t kOct10LocalMidnight = 1'791'565'200'000;
// Days from 1970-01-01 to 2026-10-10.
constexpr std::int32_t kOct10DayIndex = 20'736;

std::int64_t MillisOf(const char* text) {
  const std::optional<Timestamp> t = ParseRfc3339(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? t->millis : -1;
}

// --- ParseRfc3339 ---------------------------------------------------------------------------

TEST(CampaignTimeTest, ParsesUtcWithZ) {
  EXPECT_EQ(MillisOf("2026-10-10T05:00:00Z"), kOct10NoonVietnam);
}

TEST(CampaignTimeTest, ParsesEpoch) { EXPECT_EQ(MillisOf("1970-01-01T00:00:00Z"), 0); }

TEST(CampaignTimeTest, ParsesPositiveOffset) {
  EXPECT_EQ(MillisOf("2026-10-10T12:00:00+07:00"), kOct10NoonVietnam);
}

TEST(CampaignTimeTest, ParsesNegativeOffset) {
  // 00:00 at -05:00 is 05:00 UTC.
  EXPECT_EQ(MillisOf("2026-10-10T00:00:00-05:00"), kOct10NoonVietnam);
}

TEST(CampaignTimeTest, ParsesOffsetThatCrossesTheDateLine) {
  EXPECT_EQ(MillisOf("2026-10-10T00:00:00+07:00"), kOct10LocalMidnight);
}

TEST(CampaignTimeTest, ParsesMillisecondFraction) {
  EXPECT_EQ(MillisOf("2026-10-10T05:00:00.250Z"), kOct10NoonVietnam + 250);
}

TEST(CampaignTimeTest, ParsesShortFractionAsTenths) {
  EXPECT_EQ(MillisOf("2026-10-10T05:00:00.5Z"), kOct10NoonVietnam + 500);
}

TEST(CampaignTimeTest, TruncatesFractionBeyondMilliseconds) {
  EXPECT_EQ(MillisOf("2026-10-10T05:00:00.123999999Z"), kOct10NoonVietnam + 123);
}

TEST(CampaignTimeTest, ParsesLeapDayOfLeapYear) {
  EXPECT_EQ(MillisOf("2024-02-29T00:00:00Z"), 1'709'164'800'000);
}

TEST(CampaignTimeTest, AcceptsLowerCaseSeparators) {
  EXPECT_EQ(MillisOf("2026-10-10t05:00:00z"), kOct10NoonVietnam);
}

TEST(CampaignTimeTest, RejectsMonthThirteen) {
  EXPECT_FALSE(ParseRfc3339("2026-13-10T05:00:00Z").has_value());
}

TEST(CampaignTimeTest, RejectsMonthZero) {
  EXPECT_FALSE(ParseRfc3339("2026-00-10T05:00:00Z").has_value());
}

TEST(CampaignTimeTest, RejectsDayZero) {
  EXPECT_FALSE(ParseRfc3339("2026-10-00T05:00:00Z").has_value());
}

TEST(CampaignTimeTest, RejectsDayThirtyOneInThirtyDayMonth) {
  EXPECT_FALSE(ParseRfc3339("2026-09-31T05:00:00Z").has_value());
}

TEST(CampaignTimeTest, RejectsFebruaryThirtieth) {
  EXPECT_FALSE(ParseRfc3339("2024-02-30T05:00:00Z").has_value());
}

TEST(CampaignTimeTest, RejectsLeapDayOfCommonYear) {
  EXPECT_FALSE(ParseRfc3339("2026-02-29T00:00:00Z").has_value());
}

TEST(CampaignTimeTest, RejectsHourTwentyFour) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T24:00:00Z").has_value());
}

TEST(CampaignTimeTest, RejectsMinuteSixty) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T05:60:00Z").has_value());
}

TEST(CampaignTimeTest, RejectsLeapSecond) {
  EXPECT_FALSE(ParseRfc3339("2026-12-31T23:59:60Z").has_value());
}

TEST(CampaignTimeTest, RejectsMissingOffset) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T05:00:00").has_value());
}

TEST(CampaignTimeTest, RejectsMissingOffsetAfterFraction) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T05:00:00.250").has_value());
}

TEST(CampaignTimeTest, RejectsOffsetWithoutColon) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T12:00:00+0700").has_value());
}

TEST(CampaignTimeTest, RejectsTruncatedOffset) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T12:00:00+07:0").has_value());
}

TEST(CampaignTimeTest, RejectsOffsetHourTwentyFour) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T12:00:00+24:00").has_value());
}

TEST(CampaignTimeTest, RejectsTrailingJunkAfterZ) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T05:00:00Zjunk").has_value());
}

TEST(CampaignTimeTest, RejectsTrailingJunkAfterOffset) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T12:00:00+07:00 ").has_value());
}

TEST(CampaignTimeTest, RejectsEmptyFraction) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T05:00:00.Z").has_value());
}

TEST(CampaignTimeTest, RejectsFractionLongerThanNanoseconds) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10T05:00:00.1234567890Z").has_value());
}

TEST(CampaignTimeTest, RejectsSpaceInsteadOfT) {
  EXPECT_FALSE(ParseRfc3339("2026-10-10 05:00:00Z").has_value());
}

TEST(CampaignTimeTest, RejectsDateOnly) { EXPECT_FALSE(ParseRfc3339("2026-10-10").has_value()); }

TEST(CampaignTimeTest, RejectsYearBefore1970) {
  EXPECT_FALSE(ParseRfc3339("1969-12-31T23:59:59Z").has_value());
}

// Found by fuzzing (tests/fuzz offer_json): the local date is 1970 but the instant is in 1969,
// which no zone writes back as a 1970 date, so a GET → PATCH round trip of the offer failed.
TEST(CampaignTimeTest, RejectsInstantBeforeTheEpochWrittenWithAnOffset) {
  EXPECT_FALSE(ParseRfc3339("1970-01-01T09:59:59+10:00").has_value());
  EXPECT_EQ(MillisOf("1970-01-01T10:00:00+10:00"), 0);
}

TEST(CampaignTimeTest, RejectsInstantInYear10000WrittenWithAnOffset) {
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:00:00-05:00").has_value());
  EXPECT_TRUE(ParseRfc3339("9999-12-31T23:59:59.999Z").has_value());
}

TEST(CampaignTimeTest, RejectsNonDigitInYear) {
  EXPECT_FALSE(ParseRfc3339("2O26-10-10T05:00:00Z").has_value());
}

// --- FormatRfc3339 --------------------------------------------------------------------------

TEST(CampaignTimeTest, FormatsInVietnamOffsetWithoutMillisWhenZero) {
  EXPECT_EQ(FormatRfc3339(Timestamp{kOct10NoonVietnam}, CampaignZone()),
            "2026-10-10T12:00:00+07:00");
}

TEST(CampaignTimeTest, FormatsMillisecondsWhenNonZero) {
  EXPECT_EQ(FormatRfc3339(Timestamp{kOct10NoonVietnam + 250}, CampaignZone()),
            "2026-10-10T12:00:00.250+07:00");
}

TEST(CampaignTimeTest, FormatsSingleMillisecondWithLeadingZeros) {
  EXPECT_EQ(FormatRfc3339(Timestamp{kOct10NoonVietnam + 7}, CampaignZone()),
            "2026-10-10T12:00:00.007+07:00");
}

TEST(CampaignTimeTest, FormatsLocalDateAfterLocalMidnight) {
  EXPECT_EQ(FormatRfc3339(Timestamp{kOct10LocalMidnight}, CampaignZone()),
            "2026-10-10T00:00:00+07:00");
}

TEST(CampaignTimeTest, FormatsUtcZoneWithZ) {
  EXPECT_EQ(FormatRfc3339(Timestamp{kOct10NoonVietnam}, CampaignZone(0)), "2026-10-10T05:00:00Z");
}

TEST(CampaignTimeTest, FormatsNegativeOffset) {
  EXPECT_EQ(FormatRfc3339(Timestamp{kOct10NoonVietnam}, CampaignZone(-5 * 60)),
            "2026-10-10T00:00:00-05:00");
}

TEST(CampaignTimeTest, FormattedTextParsesBackToTheSameInstant) {
  const Timestamp t{kOct10NoonVietnam + 999};
  EXPECT_EQ(MillisOf(FormatRfc3339(t, CampaignZone()).c_str()), t.millis);
}

TEST(CampaignTimeTest, FormatsInUtcWhenTheLocalYearWouldBe1969) {
  const std::string text = FormatRfc3339(Timestamp{0}, CampaignZone(-5 * 60));
  EXPECT_EQ(text, "1970-01-01T00:00:00Z");
  EXPECT_EQ(MillisOf(text.c_str()), 0);
}

TEST(CampaignTimeTest, FormatsInUtcWhenTheLocalYearWouldBe10000) {
  const Timestamp last{MillisOf("9999-12-31T23:59:59.999Z")};
  const std::string text = FormatRfc3339(last, CampaignZone());
  EXPECT_EQ(text, "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(MillisOf(text.c_str()), last.millis);
}

// Every instant the API can carry (1970 to 9999), in offsets either side of UTC and on the
// quarter hour, formats to text of one fixed shape that parses back to the same instant.
TEST(CampaignTimeTest, RandomInstantsInAnyOffsetFormatToTextThatParsesBack) {
  std::mt19937_64 random(20261010);
  const std::int64_t last = MillisOf("9999-12-31T23:59:59.999Z");
  for (int i = 0; i < 20'000; ++i) {
    const Timestamp t{static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(last + 1))};
    const int offset = static_cast<int>(random() % 113) * 15 - 14 * 60;  // -14:00 to +14:00
    const std::string text = FormatRfc3339(t, CampaignZone(offset));
    ASSERT_EQ(MillisOf(text.c_str()), t.millis) << text << " offset " << offset;
    const bool utc = text.back() == 'Z';
    const std::size_t expected = 19 + (t.millis % 1000 != 0 ? 4 : 0) + (utc ? 1 : 6);
    ASSERT_EQ(text.size(), expected) << text;
  }
}

// --- Local days and minutes of day ----------------------------------------------------------

TEST(CampaignTimeTest, LastSecondBeforeLocalMidnightBelongsToThePreviousDay) {
  const CampaignZone zone;
  const Timestamp t{MillisOf("2026-10-09T16:59:59Z")};
  EXPECT_EQ(FormatLocalDay(zone.DayOf(t)), "2026-10-09");
  EXPECT_EQ(zone.DayOf(t).index, kOct10DayIndex - 1);
}

TEST(CampaignTimeTest, LocalMidnightStartsTheNextDay) {
  const CampaignZone zone;
  const Timestamp t{MillisOf("2026-10-09T17:00:00Z")};
  EXPECT_EQ(FormatLocalDay(zone.DayOf(t)), "2026-10-10");
  EXPECT_EQ(zone.DayOf(t).index, kOct10DayIndex);
}

TEST(CampaignTimeTest, MinuteOfDayJustBeforeLocalMidnightIsTheLast) {
  const Timestamp t{MillisOf("2026-10-09T16:59:59Z")};
  EXPECT_EQ(CampaignZone().MinuteOfDay(t), 1439);
}

TEST(CampaignTimeTest, MinuteOfDayAtLocalMidnightIsZero) {
  const Timestamp t{MillisOf("2026-10-09T17:00:00Z")};
  EXPECT_EQ(CampaignZone().MinuteOfDay(t), 0);
}

TEST(CampaignTimeTest, MinuteOfDayAtLocalNoon) {
  EXPECT_EQ(CampaignZone().MinuteOfDay(Timestamp{kOct10NoonVietnam}), 720);
}

TEST(CampaignTimeTest, DayOfUsesTheConfiguredOffset) {
  // 2026-10-09T17:00:00Z is still 2026-10-09 in UTC.
  const Timestamp t{kOct10LocalMidnight};
  EXPECT_EQ(FormatLocalDay(CampaignZone(0).DayOf(t)), "2026-10-09");
}

TEST(CampaignTimeTest, DayBeforeEpochInUtcIsNegative) {
  // 1970-01-01T00:00:00+07:00 is 1969-12-31T17:00:00Z: day 0 locally, day -1 in UTC.
  const Timestamp t{-7 * kMillisPerHour};
  EXPECT_EQ(CampaignZone().DayOf(t).index, 0);
  EXPECT_EQ(CampaignZone(0).DayOf(t).index, -1);
  EXPECT_EQ(CampaignZone(0).MinuteOfDay(t), 17 * 60);
}

TEST(CampaignTimeTest, StartOfDayIsLocalMidnight) {
  EXPECT_EQ(CampaignZone().StartOf(LocalDay{kOct10DayIndex}).millis, kOct10LocalMidnight);
}

TEST(CampaignTimeTest, HourOfCountsLocalHours) {
  const CampaignZone zone;
  const LocalHour noon = zone.HourOf(Timestamp{kOct10NoonVietnam});
  EXPECT_EQ(noon.index, std::int64_t{kOct10DayIndex} * 24 + 12);
  EXPECT_EQ(zone.HourOf(Timestamp{kOct10NoonVietnam - 1}).index, noon.index - 1);
}

// --- Daily windows --------------------------------------------------------------------------

TEST(CampaignTimeTest, DailyWindowIncludesItsStart) {
  const DailyWindow lunch{12 * 60, 14 * 60};
  EXPECT_TRUE(lunch.Contains(12 * 60));
}

TEST(CampaignTimeTest, DailyWindowExcludesItsEnd) {
  const DailyWindow lunch{12 * 60, 14 * 60};
  EXPECT_TRUE(lunch.Contains(14 * 60 - 1));
  EXPECT_FALSE(lunch.Contains(14 * 60));
}

TEST(CampaignTimeTest, DailyWindowExcludesMinuteBeforeStart) {
  const DailyWindow lunch{12 * 60, 14 * 60};
  EXPECT_FALSE(lunch.Contains(12 * 60 - 1));
}

TEST(CampaignTimeTest, WrappingWindowIncludesLateEvening) {
  const DailyWindow night{22 * 60, 2 * 60};
  EXPECT_TRUE(night.Contains(22 * 60));
  EXPECT_TRUE(night.Contains(23 * 60 + 59));
}

TEST(CampaignTimeTest, WrappingWindowIncludesEarlyMorningUntilItsEnd) {
  const DailyWindow night{22 * 60, 2 * 60};
  EXPECT_TRUE(night.Contains(0));
  EXPECT_TRUE(night.Contains(2 * 60 - 1));
  EXPECT_FALSE(night.Contains(2 * 60));
}

TEST(CampaignTimeTest, WrappingWindowExcludesDaytime) {
  const DailyWindow night{22 * 60, 2 * 60};
  EXPECT_FALSE(night.Contains(12 * 60));
  EXPECT_FALSE(night.Contains(22 * 60 - 1));
}

TEST(CampaignTimeTest, WindowEndingAt2400IncludesLastMinute) {
  const DailyWindow evening{20 * 60, kMinutesPerDay};
  EXPECT_TRUE(evening.Contains(23 * 60 + 59));
  EXPECT_FALSE(evening.Contains(0));
  EXPECT_FALSE(evening.Contains(20 * 60 - 1));
}

// --- Clock times and local days as text -----------------------------------------------------

TEST(CampaignTimeTest, ParsesClockTime) {
  EXPECT_EQ(ParseClockTime("00:00"), 0);
  EXPECT_EQ(ParseClockTime("12:30"), 750);
  EXPECT_EQ(ParseClockTime("23:59"), 1439);
}

TEST(CampaignTimeTest, ParsesClockTime2400AsEndOfDay) {
  EXPECT_EQ(ParseClockTime("24:00"), kMinutesPerDay);
}

TEST(CampaignTimeTest, RejectsClockTimesOutOfRange) {
  EXPECT_FALSE(ParseClockTime("24:01").has_value());
  EXPECT_FALSE(ParseClockTime("25:00").has_value());
  EXPECT_FALSE(ParseClockTime("12:60").has_value());
}

TEST(CampaignTimeTest, RejectsMalformedClockTimes) {
  EXPECT_FALSE(ParseClockTime("7:00").has_value());
  EXPECT_FALSE(ParseClockTime("07:00:00").has_value());
  EXPECT_FALSE(ParseClockTime("07-00").has_value());
  EXPECT_FALSE(ParseClockTime("ab:cd").has_value());
  EXPECT_FALSE(ParseClockTime("").has_value());
}

TEST(CampaignTimeTest, FormatsClockTimes) {
  EXPECT_EQ(FormatClockTime(0), "00:00");
  EXPECT_EQ(FormatClockTime(12 * 60 + 5), "12:05");
  EXPECT_EQ(FormatClockTime(kMinutesPerDay), "24:00");
}

TEST(CampaignTimeTest, ParsesLocalDay) {
  const std::optional<LocalDay> day = ParseLocalDay("2026-10-10");
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->index, kOct10DayIndex);
}

TEST(CampaignTimeTest, LocalDayRoundTrips) {
  EXPECT_EQ(FormatLocalDay(LocalDay{kOct10DayIndex}), "2026-10-10");
  EXPECT_EQ(FormatLocalDay(LocalDay{0}), "1970-01-01");
}

TEST(CampaignTimeTest, RejectsInvalidLocalDays) {
  EXPECT_FALSE(ParseLocalDay("2026-02-29").has_value());
  EXPECT_FALSE(ParseLocalDay("2026-13-01").has_value());
  EXPECT_FALSE(ParseLocalDay("2026-10-32").has_value());
  EXPECT_FALSE(ParseLocalDay("2026-1-10").has_value());
  EXPECT_FALSE(ParseLocalDay("2026-10-10T00:00:00Z").has_value());
  EXPECT_FALSE(ParseLocalDay("").has_value());
}

}  // namespace
}  // namespace uudai
