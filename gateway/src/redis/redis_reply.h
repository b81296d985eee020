// RedisReply: an owning copy of one Redis reply (RESP2): a bulk string, a status ("OK"), an
// error ("NOSCRIPT ..."), an integer, nil, or an array of replies. Thread-safe: a plain value.
//
// An error reply is a value here, not a failure: the command reached Redis and Redis said no
// (a Lua script's `error_reply`, WRONGTYPE, ...). Transport failures are a Status elsewhere.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_REPLY_H_
#define UUDAI_GATEWAY_REDIS_REDIS_REPLY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;  // hiredis

namespace uudai::gateway {

class RedisReply {
 public:
  enum class Type { kString, kStatus, kError, kInteger, kNil, kArray };

  RedisReply() = default;  // nil

  static RedisReply String(std::string value);
  static RedisReply StatusReply(std::string value);
  static RedisReply Error(std::string message);
  static RedisReply Integer(std::int64_t value);
  static RedisReply Nil() { return {}; }
  static RedisReply Array(std::vector<RedisReply> elements);
  // A deep copy of a hiredis reply (binary-safe). An unknown reply type becomes an error.
  static RedisReply FromHiredis(const redisReply& reply);

  Type type() const { return type_; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_status() const { return type_ == Type::kStatus; }
  bool is_error() const { return type_ == Type::kError; }
  bool is_integer() const { return type_ == Type::kInteger; }
  bool is_nil() const { return type_ == Type::kNil; }
  bool is_array() const { return type_ == Type::kArray; }

  // The bytes of a string, the text of a status or the message of an error; empty otherwise.
  const std::string& str() const { return str_; }
  // REQUIRES: is_integer() (0 otherwise).
  std::int64_t integer() const { return integer_; }
  // REQUIRES: is_array() (empty otherwise).
  const std::vector<RedisReply>& elements() const { return elements_; }
  // True for an error whose first word is `prefix`, e.g. IsErrorCode("NOSCRIPT").
  bool IsErrorCode(std::string_view prefix) const;

  // redis-cli-like rendering for logs and test failures: "OK", "(error) ERR ...",
  // "(integer) 3", "(nil)", "\"bytes\"", "[1, \"a\"]".
  std::string DebugString() const;

  friend bool operator==(const RedisReply&, const RedisReply&) = default;

 private:
  Type type_ = Type::kNil;
  std::int64_t integer_ = 0;
  std::string str_;
  std::vector<RedisReply> elements_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_REPLY_H_
