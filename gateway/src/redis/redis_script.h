// RedisScript: a Lua script and its SHA1, the name EVALSHA runs it by. Thread-safe: immutable.
// Copies are cheap (they share the source), so a command in flight can keep one for the
// SCRIPT LOAD it may need after a NOSCRIPT.
#ifndef UUDAI_GATEWAY_REDIS_REDIS_SCRIPT_H_
#define UUDAI_GATEWAY_REDIS_REDIS_SCRIPT_H_

#include <memory>
#include <string>

namespace uudai::gateway {

class RedisScript {
 public:
  explicit RedisScript(std::string source);

  const std::string& source() const { return body_->source; }
  // Lowercase hex SHA1 of the source, as SCRIPT LOAD returns it.
  const std::string& sha1() const { return body_->sha1; }

 private:
  struct Body {
    std::string source;
    std::string sha1;
  };
  std::shared_ptr<const Body> body_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_SCRIPT_H_
