#include "api/router.h"

namespace uudai::gateway {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kMerchant:
      return "merchant";
    case Role::kCheckout:
      return "checkout";
    case Role::kAnalyst:
      return "analyst";
  }
  return "unknown";
}

void Router::Add(Route route) {
  Compiled compiled;
  for (std::string_view segment : Split(route.pattern)) {
    compiled.segments.emplace_back(segment.starts_with('{') ? "{}" : std::string(segment));
  }
  compiled.route = std::move(route);
  routes_.push_back(std::move(compiled));
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch match;
  if (path.empty() || path.front() != '/') return match;
  const auto segments = Split(path);
  // Of the patterns the path fits, only those with the most literal segments count (a literal
  // wins over a parameter: /v1/offers/batch is not the offer "batch"); among them, the first
  // of the method answers, and when none is, the others make the 405's Allow.
  std::size_t best_literals = 0;
  bool any = false;
  for (const Compiled& c : routes_) {
    if (c.segments.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool same = true;
    std::size_t literals = 0;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      if (c.segments[i] == "{}") {
        same = !segments[i].empty();
        params.emplace_back(segments[i]);
      } else {
        same = c.segments[i] == segments[i];
        ++literals;
      }
    }
    if (!same || (any && literals < best_literals)) continue;
    if (!any || literals > best_literals) {
      match = RouteMatch{};
      best_literals = literals;
      any = true;
    }
    if (c.route.method == method) {
      if (match.route == nullptr) {
        match.route = &c.route;
        match.params = std::move(params);
      }
      continue;
    }
    if (!match.allowed.empty()) match.allowed += ", ";
    match.allowed += c.route.method;
  }
  if (match.route != nullptr) match.allowed.clear();
  return match;
}

}  // namespace uudai::gateway
