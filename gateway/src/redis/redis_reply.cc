#include "redis/redis_reply.h"

#include <hiredis/hiredis.h>

namespace uudai::gateway {

RedisReply RedisReply::String(std::string value) {
  RedisReply reply;
  reply.type_ = Type::kString;
  reply.str_ = std::move(value);
  return reply;
}

RedisReply RedisReply::StatusReply(std::string value) {
  RedisReply reply;
  reply.type_ = Type::kStatus;
  reply.str_ = std::move(value);
  return reply;
}

RedisReply RedisReply::Error(std::string message) {
  RedisReply reply;
  reply.type_ = Type::kError;
  reply.str_ = std::move(message);
  return reply;
}

RedisReply RedisReply::Integer(std::int64_t value) {
  RedisReply reply;
  reply.type_ = Type::kInteger;
  reply.integer_ = value;
  return reply;
}

RedisReply RedisReply::Array(std::vector<RedisReply> elements) {
  RedisReply reply;
  reply.type_ = Type::kArray;
  reply.elements_ = std::move(elements);
  return reply;
}

RedisReply RedisReply::FromHiredis(const redisReply& reply) {
  const auto bytes = [&reply] {
    return reply.str == nullptr ? std::string() : std::string(reply.str, reply.len);
  };
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      return String(bytes());
    case REDIS_REPLY_STATUS:
      return StatusReply(bytes());
    case REDIS_REPLY_ERROR:
      return Error(bytes());
    case REDIS_REPLY_INTEGER:
      return Integer(reply.integer);
    case REDIS_REPLY_NIL:
      return Nil();
    case REDIS_REPLY_ARRAY: {
      std::vector<RedisReply> elements;
      elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        elements.push_back(reply.element[i] == nullptr ? Nil() : FromHiredis(*reply.element[i]));
      }
      return Array(std::move(elements));
    }
    default:
      return Error("unsupported reply type " + std::to_string(reply.type));
  }
}

bool RedisReply::IsErrorCode(std::string_view prefix) const {
  if (!is_error() || str_.size() < prefix.size()) return false;
  if (str_.compare(0, prefix.size(), prefix) != 0) return false;
  return str_.size() == prefix.size() || str_[prefix.size()] == ' ';
}

std::string RedisReply::DebugString() const {
  switch (type_) {
    case Type::kString:
      return "\"" + str_ + "\"";
    case Type::kStatus:
      return str_;
    case Type::kError:
      return "(error) " + str_;
    case Type::kInteger:
      return "(integer) " + std::to_string(integer_);
    case Type::kNil:
      return "(nil)";
    case Type::kArray: {
      std::string out = "[";
      for (std::size_t i = 0; i < elements_.size(); ++i) {
        if (i > 0) out += ", ";
        out += elements_[i].DebugString();
      }
      return out + "]";
    }
  }
  return "(unknown)";
}

}  // namespace uudai::gateway
