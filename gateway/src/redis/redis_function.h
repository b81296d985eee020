// RedisFunction: a Redis Functions library (Redis 7) holding ONE function, named after a digest
// of its code, so that gateways of different builds sharing a Redis never run each other's
// code and a library, once loaded, is never replaced. Thread-safe: immutable. Copies are cheap
// (they share the source), so a call in flight can keep one for the FUNCTION LOAD it may need.
//
// The body is Lua that registers the function under the name NAME, which the library defines
// before the body:  redis.register_function(NAME, function(keys, args) ... end)
// It may also register NAME .. '_ro' with the flag 'no-writes' (ReadOnly()): a function that
// only reads, which Redis runs with FCALL_RO, on replicas and while over maxmemory too.
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

  // The function's name (what FCALL names); the library's is name() without any "_ro".
  const std::string& name() const { return read_only_ ? library_->read_only_name : library_->name; }
  // The same library's read-only function, NAME_ro, which the body must register with the
  // flag 'no-writes'; called with FCALL_RO.
  RedisFunction ReadOnly() const;
  bool read_only() const { return read_only_; }
  // What FUNCTION LOAD takes: the shebang line naming the library, NAME, then the body.
  const std::string& source() const { return library_->source; }

 private:
  struct Library {
    std::string name;
    std::string read_only_name;
    std::string source;
  };
  std::shared_ptr<const Library> library_;
  bool read_only_ = false;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_REDIS_REDIS_FUNCTION_H_
