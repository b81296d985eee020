// The fields of the store's JSON lines (mutation_codec.cc, offer_codec.cc, webhook_codec.cc):
// optional values written as null, and reads that throw std::exception on any shape problem
// (a missing key, a wrong type, a number out of range), which each codec turns into a Status.
#ifndef UUDAI_GATEWAY_STORE_CODEC_JSON_FIELDS_H_
#define UUDAI_GATEWAY_STORE_CODEC_JSON_FIELDS_H_

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "uudai/campaign_time.h"
#include "uudai/offer.h"

namespace uudai::gateway::json_fields {

// --- writing ---------------------------------------------------------------------------------

inline boost::json::value Nullable(const std::optional<std::int64_t>& v) {
  return v ? boost::json::value(*v) : nullptr;
}
inline boost::json::value Nullable(const std::optional<std::string>& v) {
  return v ? boost::json::value(*v) : nullptr;
}
inline boost::json::value Nullable(const std::optional<Timestamp>& v) {
  return v ? boost::json::value(v->millis) : nullptr;
}
inline boost::json::value Nullable(const std::optional<std::vector<std::string>>& v) {
  if (!v) return nullptr;
  boost::json::array out;
  for (const auto& s : *v) out.emplace_back(s);
  return out;
}
// Who wrote an offer or a webhook: [key_id, role].
inline boost::json::array AuthorArray(const OfferAuthor& author) {
  return boost::json::array{author.key_id, author.role};
}

// --- reading ---------------------------------------------------------------------------------

inline std::int64_t Int(const boost::json::object& o, std::string_view k) {
  return o.at(k).to_number<std::int64_t>();
}
inline std::uint64_t Unsigned(const boost::json::object& o, std::string_view k) {
  return o.at(k).to_number<std::uint64_t>();
}
inline std::string Text(const boost::json::object& o, std::string_view k) {
  return std::string(o.at(k).as_string());
}
inline bool Bool(const boost::json::object& o, std::string_view k) { return o.at(k).as_bool(); }
inline std::optional<std::int64_t> OptInt(const boost::json::object& o, std::string_view k) {
  const auto& v = o.at(k);
  if (v.is_null()) return std::nullopt;
  return v.to_number<std::int64_t>();
}
inline std::optional<std::string> OptText(const boost::json::object& o, std::string_view k) {
  const auto& v = o.at(k);
  if (v.is_null()) return std::nullopt;
  return std::string(v.as_string());
}
inline std::optional<std::vector<std::string>> OptList(const boost::json::object& o,
                                                       std::string_view k) {
  const auto& v = o.at(k);
  if (v.is_null()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}
inline std::optional<Timestamp> OptTime(const boost::json::object& o, std::string_view k) {
  auto v = OptInt(o, k);
  if (!v) return std::nullopt;
  return Timestamp{*v};
}
// An author written by AuthorArray under key `k`, or nullopt when the key is absent (a line
// written before authors were kept).
inline std::optional<OfferAuthor> OptAuthor(const boost::json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (v == nullptr) return std::nullopt;
  const boost::json::array& author = v->as_array();
  return OfferAuthor{std::string(author.at(0).as_string()), std::string(author.at(1).as_string())};
}
// An enum written as its number, one of the first `count`.
template <typename Enum>
Enum EnumField(const boost::json::object& o, std::string_view k, int count) {
  const auto v = Int(o, k);
  if (v < 0 || v >= count) throw std::out_of_range("enum out of range");
  return static_cast<Enum>(v);
}

}  // namespace uudai::gateway::json_fields

#endif  // UUDAI_GATEWAY_STORE_CODEC_JSON_FIELDS_H_
