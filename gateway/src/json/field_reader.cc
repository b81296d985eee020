#include "json/field_reader.h"

namespace uudai::gateway {

std::optional<std::int64_t> AsInteger(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  return std::nullopt;
}

FieldReader::FieldReader(const boost::json::object& object, std::string path,
                         BodyProblems& problems)
    : object_(object), path_(std::move(path)), problems_(problems) {}

std::string FieldReader::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const boost::json::value* FieldReader::MarkRead(std::string_view key) {
  const auto member = object_.find(key);
  if (member == object_.end()) return nullptr;
  const auto index = static_cast<std::size_t>(member - object_.begin());
  if (index < 64) {
    read_mask_ |= std::uint64_t{1} << index;
  } else {
    if (read_beyond_.empty()) read_beyond_.resize(object_.size() - 64);
    read_beyond_[index - 64] = true;
  }
  return &member->value();
}

void FieldReader::Allow(std::string_view key) { MarkRead(key); }

bool FieldReader::Has(std::string_view key) {
  const auto* v = MarkRead(key);
  return v != nullptr && !v->is_null();
}

const boost::json::value* FieldReader::Find(std::string_view key, bool required) {
  const auto* v = MarkRead(key);
  if (v == nullptr || v->is_null()) {
    if (required) Invalid(key, "is required");
    return nullptr;
  }
  return v;
}

void FieldReader::Invalid(std::string_view key, std::string message) {
  problems_.invalid.push_back({PathOf(key), std::move(message)});
}

std::optional<std::string> FieldReader::String(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    Invalid(key, "must be a string");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::optional<std::int64_t> FieldReader::Integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  const auto n = AsInteger(*v);
  if (!n || *n < min || *n > max) {
    Invalid(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<Money> FieldReader::Amount(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return std::nullopt;
  const auto n = AsInteger(*v);
  if (!n || !IsValidAmount(*n)) {
    Invalid(key, "must be a whole number of đồng from 0 to 10^15");
    return std::nullopt;
  }
  return n;
}

std::optional<bool> FieldReader::Bool(std::string_view key) {
  const auto* v = Find(key, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    Invalid(key, "must be true or false");
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<std::vector<std::string>> FieldReader::StringList(std::string_view key,
                                                                std::size_t max_entries) {
  const auto* v = Find(key, false);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    Invalid(key, "must be an array of strings");
    return std::nullopt;
  }
  const auto& array = v->get_array();
  if (array.size() > max_entries) {
    Invalid(key, "must have at most " + std::to_string(max_entries) + " entries");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(array.size());
  bool ok = true;
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string()) {
      problems_.invalid.push_back(
          {PathOf(key) + "[" + std::to_string(i) + "]", "must be a string"});
      ok = false;
      continue;
    }
    out.emplace_back(array[i].get_string());
  }
  if (!ok) return std::nullopt;
  return out;
}

const boost::json::object* FieldReader::Object(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    Invalid(key, "must be an object");
    return nullptr;
  }
  return &v->get_object();
}

const boost::json::array* FieldReader::Array(std::string_view key, bool required) {
  const auto* v = Find(key, required);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    Invalid(key, "must be an array");
    return nullptr;
  }
  return &v->get_array();
}

void FieldReader::Finish() {
  std::size_t index = 0;
  for (const auto& [key, value] : object_) {
    const bool read = index < 64 ? (read_mask_ >> index & 1) != 0
                                 : !read_beyond_.empty() && read_beyond_[index - 64];
    if (!read) problems_.unknown.push_back({PathOf(key), "is not a field uudai knows"});
    ++index;
  }
}

}  // namespace uudai::gateway
