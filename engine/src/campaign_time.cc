#include "uudai/campaign_time.h"

#include <charconv>
#include <cstdio>

namespace uudai {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

CivilDate CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

// 10000-01-01T00:00:00Z: instants from here on are not accepted (see ParseRfc3339).
constexpr std::int64_t kEndOfYear9999 = 253'402'300'800'000;

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Floor division for possibly negative numerators.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Reads exactly `width` ASCII digits at text[pos].
bool ReadDigits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

std::optional<CivilDate> ParseDate(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!ReadDigits(text, 0, 4, y) || !ReadDigits(text, 5, 2, m) || !ReadDigits(text, 8, 2, d)) {
    return std::nullopt;
  }
  if (y < 1970 || m < 1 || m > 12 || d < 1 ||
      static_cast<unsigned>(d) > DaysInMonth(y, static_cast<unsigned>(m))) {
    return std::nullopt;
  }
  return CivilDate{y, static_cast<unsigned>(m), static_cast<unsigned>(d)};
}

}  // namespace

LocalDay CampaignZone::DayOf(Timestamp t) const {
  return LocalDay{static_cast<std::int32_t>(
      FloorDiv(t.millis + offset_minutes_ * kMillisPerMinute, kMillisPerDay))};
}

LocalHour CampaignZone::HourOf(Timestamp t) const {
  return LocalHour{FloorDiv(t.millis + offset_minutes_ * kMillisPerMinute, kMillisPerHour)};
}

int CampaignZone::MinuteOfDay(Timestamp t) const {
  const std::int64_t local = t.millis + offset_minutes_ * kMillisPerMinute;
  const std::int64_t into_day = local - FloorDiv(local, kMillisPerDay) * kMillisPerDay;
  return static_cast<int>(into_day / kMillisPerMinute);
}

Timestamp CampaignZone::StartOf(LocalDay day) const {
  return Timestamp{day.index * kMillisPerDay - offset_minutes_ * kMillisPerMinute};
}

bool DailyWindow::Contains(int minute_of_day) const {
  if (from_minute <= to_minute) return minute_of_day >= from_minute && minute_of_day < to_minute;
  return minute_of_day >= from_minute || minute_of_day < to_minute;  // wraps past midnight
}

std::optional<Timestamp> ParseRfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
  if (text.size() < 20) return std::nullopt;
  const auto date = ParseDate(text.substr(0, 10));
  if (!date || (text[10] != 'T' && text[10] != 't')) return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (!ReadDigits(text, 11, 2, hh) || text[13] != ':' || !ReadDigits(text, 14, 2, mm) ||
      text[16] != ':' || !ReadDigits(text, 17, 2, ss)) {
    return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;  // no leap seconds
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    int scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh = 0, om = 0;
    if (!ReadDigits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t days = DaysFromCivil(date->year, date->month, date->day);
  const std::int64_t local_millis =
      days * kMillisPerDay + (hh * 3600 + mm * 60 + ss) * 1000LL + millis;
  const Timestamp t{local_millis - offset_minutes * kMillisPerMinute};
  // "1970-01-01T00:00:00+10:00" is in 1969: an instant FormatRfc3339 could not write back in a
  // form accepted here. Only instants of the years 1970..9999 in UTC are.
  if (t.millis < 0 || t.millis >= kEndOfYear9999) return std::nullopt;
  return t;
}

std::string FormatRfc3339(Timestamp t, const CampaignZone& zone) {
  const std::int64_t local = t.millis + zone.offset_minutes() * kMillisPerMinute;
  const std::int64_t days = FloorDiv(local, kMillisPerDay);
  const std::int64_t in_day = local - days * kMillisPerDay;
  const CivilDate date = CivilFromDays(days);
  if ((date.year < 1970 || date.year > 9999) && zone.offset_minutes() != 0 && t.millis >= 0 &&
      t.millis < kEndOfYear9999) {
    // Within hours of either end the local year would be 1969 or 10000, which ParseRfc3339
    // refuses; the same instant in UTC is not.
    return FormatRfc3339(t, CampaignZone(0));
  }
  const auto secs = static_cast<int>(in_day / 1000);
  const auto millis = static_cast<int>(in_day % 1000);
  const int offset = zone.offset_minutes();
  const int abs_offset = offset < 0 ? -offset : offset;
  // Written digit by digit: every redemption and quote answer formats its times, and snprintf
  // costs several times more. The same text as "%04lld-%02u-%02uT%02d:%02d:%02d[.%03d](Z|±hh:mm)".
  char buffer[48];
  char* p = buffer;
  const auto digits = [&p](int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) p[i] = static_cast<char>('0' + value % 10);
    p += width;
  };
  if (date.year >= 0 && date.year <= 9999) {
    digits(static_cast<int>(date.year), 4);
  } else {
    p += std::snprintf(p, 24, "%04lld", static_cast<long long>(date.year));
  }
  *p++ = '-';
  digits(static_cast<int>(date.month), 2);
  *p++ = '-';
  digits(static_cast<int>(date.day), 2);
  *p++ = 'T';
  digits(secs / 3600, 2);
  *p++ = ':';
  digits(secs / 60 % 60, 2);
  *p++ = ':';
  digits(secs % 60, 2);
  if (millis != 0) {
    *p++ = '.';
    digits(millis, 3);
  }
  if (offset == 0) {
    *p++ = 'Z';
  } else {
    *p++ = offset < 0 ? '-' : '+';
    digits(abs_offset / 60, 2);  // two digits of hours, as --zone-offset gives them
    *p++ = ':';
    digits(abs_offset % 60, 2);
  }
  return std::string(buffer, static_cast<std::size_t>(p - buffer));
}

std::optional<int> ParseClockTime(std::string_view text) {
  int hh = 0, mm = 0;
  if (text.size() != 5 || text[2] != ':' || !ReadDigits(text, 0, 2, hh) ||
      !ReadDigits(text, 3, 2, mm)) {
    return std::nullopt;
  }
  if (mm > 59 || hh > 24 || (hh == 24 && mm != 0)) return std::nullopt;
  return hh * 60 + mm;
}

std::string FormatClockTime(int minute_of_day) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", minute_of_day / 60 % 100, minute_of_day % 60);
  return buffer;
}

std::string FormatLocalDay(LocalDay day) {
  const CivilDate date = CivilFromDays(day.index);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(date.year),
                date.month, date.day);
  return buffer;
}

std::optional<LocalDay> ParseLocalDay(std::string_view text) {
  const auto date = ParseDate(text);
  if (!date) return std::nullopt;
  return LocalDay{static_cast<std::int32_t>(DaysFromCivil(date->year, date->month, date->day))};
}

}  // namespace uudai
