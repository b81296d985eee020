// Campaign time: instants, the campaign time zone, local days and daily windows.
//
// An instant is milliseconds since the Unix epoch (UTC). "Day" always means the local calendar
// day in the campaign zone (Asia/Ho_Chi_Minh, UTC+07:00, no DST; the offset is configurable).
// Windows are inclusive at the start and exclusive at the end. Pure value types, thread-safe.
#ifndef UUDAI_CAMPAIGN_TIME_H_
#define UUDAI_CAMPAIGN_TIME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace uudai {

// Milliseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
  std::int64_t millis = 0;

  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

inline constexpr std::int64_t kMillisPerMinute = 60'000;
inline constexpr std::int64_t kMillisPerHour = 3'600'000;
inline constexpr std::int64_t kMillisPerDay = 86'400'000;
inline constexpr int kMinutesPerDay = 24 * 60;

// A local calendar day, counted in days since 1970-01-01 (local).
struct LocalDay {
  std::int32_t index = 0;

  friend auto operator<=>(const LocalDay&, const LocalDay&) = default;
};

// A local clock hour, counted in hours since 1970-01-01T00:00 (local).
struct LocalHour {
  std::int64_t index = 0;

  friend auto operator<=>(const LocalHour&, const LocalHour&) = default;
};

// The campaign's fixed UTC offset. Default: UTC+07:00 (Vietnam).
class CampaignZone {
 public:
  static constexpr int kVietnamOffsetMinutes = 7 * 60;

  constexpr CampaignZone() = default;
  explicit constexpr CampaignZone(int offset_minutes) : offset_minutes_(offset_minutes) {}

  constexpr int offset_minutes() const { return offset_minutes_; }
  LocalDay DayOf(Timestamp t) const;
  LocalHour HourOf(Timestamp t) const;
  // Minutes since local midnight, 0..1439.
  int MinuteOfDay(Timestamp t) const;
  // The instant local midnight of `day` begins.
  Timestamp StartOf(LocalDay day) const;

 private:
  int offset_minutes_ = kVietnamOffsetMinutes;
};

// A daily local-time window [from, to) in minutes since local midnight. `to` may be 1440
// ("24:00"). When to < from the window wraps past midnight (22:00–02:00).
struct DailyWindow {
  int from_minute = 0;
  int to_minute = kMinutesPerDay;

  bool Contains(int minute_of_day) const;
  friend bool operator==(const DailyWindow&, const DailyWindow&) = default;
};

// Parses an RFC 3339 timestamp with a mandatory offset ("Z" or "+07:00") and optional
// fraction (truncated to milliseconds). Rejects everything else, including out-of-range
// fields (month 13, 2026-02-30, hour 24). Instants of the years 1970..9999 in UTC only, so
// that whatever it accepts, FormatRfc3339 writes back (in any zone) as text it accepts.
std::optional<Timestamp> ParseRfc3339(std::string_view text);

// Formats in the zone's offset, e.g. "2026-10-10T12:00:00+07:00"; milliseconds are written
// (".250") only when non-zero. Deterministic: the same instant always gives the same bytes.
// An instant whose local year would be 1969 or 10000 is written in UTC ("...Z") instead.
std::string FormatRfc3339(Timestamp t, const CampaignZone& zone);

// "HH:MM" (00:00..24:00) → minutes since midnight.
std::optional<int> ParseClockTime(std::string_view text);
std::string FormatClockTime(int minute_of_day);

// "2026-10-10" for a local day; and back.
std::string FormatLocalDay(LocalDay day);
std::optional<LocalDay> ParseLocalDay(std::string_view text);

}  // namespace uudai

#endif  // UUDAI_CAMPAIGN_TIME_H_
