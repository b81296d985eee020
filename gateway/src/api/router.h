// Router: maps (method, path) to a named route, with {param} path segments.
#ifndef UUDAI_GATEWAY_API_ROUTER_H_
#define UUDAI_GATEWAY_API_ROUTER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uudai::gateway {

enum class Role : std::uint8_t { kAdmin, kMerchant, kCheckout, kAnalyst };
std::string_view RoleName(Role role);

// Which roles may call a route; an empty set means no key is needed.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= static_cast<std::uint8_t>(1U << static_cast<unsigned>(r));
  }
  constexpr bool Contains(Role r) const { return (bits_ >> static_cast<unsigned>(r)) & 1U; }
  constexpr bool empty() const { return bits_ == 0; }

 private:
  std::uint8_t bits_ = 0;
};

struct Route {
  std::string method;
  std::string pattern;  // e.g. "/v1/offers/{id}"; also the metrics label
  RoleSet roles;
  int handler = 0;  // the owner's index of the handler
};

struct RouteMatch {
  const Route* route = nullptr;     // nullptr: no route for this method and path
  std::vector<std::string> params;  // values of the {param} segments, in order
  std::string allowed;              // when the path exists for other methods: "GET, PATCH"
};

class Router {
 public:
  void Add(Route route);
  RouteMatch Match(std::string_view method, std::string_view path) const;

 private:
  struct Compiled {
    Route route;
    std::vector<std::string> segments;  // "{}" stands for a parameter
  };
  std::vector<Compiled> routes_;
};

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_ROUTER_H_
