// FieldReader: strict reading of one JSON object of a request body.
//
// Every read names its field; Finish() reports each field that was never read as unknown, so a
// typo such as "min_order_ammount" is refused instead of silently dropping a condition. Type
// and range problems are collected with their full path ("limits.per_shopper",
// "items[2].unit_price"). null is the same as absent.
#ifndef UUDAI_GATEWAY_JSON_FIELD_READER_H_
#define UUDAI_GATEWAY_JSON_FIELD_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "uudai/money.h"
#include "uudai/status.h"

namespace uudai::gateway {

struct BodyProblems {
  std::vector<FieldError> unknown;  // → 422 unknown_field
  std::vector<FieldError> invalid;  // → 422 validation_failed
  bool empty() const { return unknown.empty() && invalid.empty(); }
};

class FieldReader {
 public:
  // `path` is the object's own path ("" for the body, "limits", "items[0]").
  FieldReader(const boost::json::object& object, std::string path, BodyProblems& problems);

  // The path of `key` inside this object.
  std::string PathOf(std::string_view key) const;
  // Present and not null. Marks the key as known.
  bool Has(std::string_view key);
  // Marks `key` as known without reading it (for fields that are read elsewhere).
  void Allow(std::string_view key);

  std::optional<std::string> String(std::string_view key, bool required = false);
  // Integer in [min, max] (JSON integers only: 1.0, 1e3 and "1" are refused).
  std::optional<std::int64_t> Integer(std::string_view key, std::int64_t min, std::int64_t max,
                                      bool required = false);
  // Whole đồng in [0, 10^15].
  std::optional<Money> Amount(std::string_view key, bool required = false);
  std::optional<bool> Bool(std::string_view key);
  // Array of strings (at most max_entries).
  std::optional<std::vector<std::string>> StringList(std::string_view key, std::size_t max_entries);
  const boost::json::object* Object(std::string_view key, bool required = false);
  const boost::json::array* Array(std::string_view key, bool required = false);

  // Records a problem at `key`'s path.
  void Invalid(std::string_view key, std::string message);
  // Reports every field never read as unknown. Call once, after all reads.
  void Finish();

 private:
  const boost::json::value* Find(std::string_view key, bool required);
  // The member `key` of object_, marked as read (for Finish); nullptr if there is none.
  const boost::json::value* MarkRead(std::string_view key);

  const boost::json::object& object_;
  std::string path_;
  BodyProblems& problems_;
  // Which of object_'s members were read, by their index in its storage: the first 64 in a
  // mask, any further ones (an oversized body) in a vector sized on first use.
  std::uint64_t read_mask_ = 0;
  std::vector<bool> read_beyond_;
};

// Integer value of `v` if it is a JSON integer that fits int64.
std::optional<std::int64_t> AsInteger(const boost::json::value& v);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_JSON_FIELD_READER_H_
