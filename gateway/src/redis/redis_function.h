// RedisFunction: a Redis Functions library (Redis 7) holding ONE function, named after a digest
// of its code, so that gateways of different builds sharing a Redis never run each other's
// code and a library, once loaded, is never replaced. Thread-safe: immutable. Copies are cheap
// (they share the source), so a call in flight can keep one for the FUNCTION LOAD it may need.
//
// The body is Lua that registers the function under the name NAME, which the library defines
// before the body:  redis.register_function(NAME, function(keys, args) ... end)
#ifndef UUDAI_GATEWAY_REDIS_REDIS_FUNCTION_H_
#define UUDAI_GATEWAY_REDIS_REDIS_FUNCTION_H_

#include <memory>
#include <string>
#include <string_view>

namespace uudai::gateway {

class RedisFunction {
 public:
  // The name is `name_prefix`, "_" and the first 16 hex digits of the body's SHA1.
  RedisFunction(std::string_view name_prefix, std::string_view body);

  // The function's name, which is also its library's (what FCALL names).
  const std::string& name() const { return library_->name; }
  // What FUNCTION LOAD takes: the shebang line naming the library, NAME, then the body.
  const std::string& source() const { return library_->source; }

 private:
  struct Library {
    std::string name;
    std::string source;
  };
  std::shared_ptr<const Library> library_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_FUNCTION_H_
