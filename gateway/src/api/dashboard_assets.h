// The analysts' dashboard (docs/design.md §4, GET /dashboard): the page, its stylesheet and
// scripts, written by hand in gateway/web/ and compiled into the binary, so a running uudai always
// serves the dashboard of its own build and never loads anything from another origin.
//
// The page holds no data and needs no key: its scripts call the stats API with the analyst key
// the user gives them (Authorization header, never a URL). Thread-safe (constant data).
#ifndef UUDAI_GATEWAY_API_DASHBOARD_ASSETS_H_
#define UUDAI_GATEWAY_API_DASHBOARD_ASSETS_H_

#include <span>
#include <string_view>

#include "http/http_message.h"

namespace uudai::gateway {

struct WebAsset {
  std::string_view path;          // "/dashboard", "/dashboard/dashboard.js", ...
  std::string_view content_type;  // with charset
  std::string_view body;
};

// Every dashboard file, the page first.
std::span<const WebAsset> DashboardAssets();

// The asset served at `path`, or nullptr.
const WebAsset* FindDashboardAsset(std::string_view path);

// 200 with the asset and the headers that lock the page down: a Content-Security-Policy that
// allows only this origin's scripts, styles and API (no inline script, no framing),
// X-Content-Type-Options nosniff, Referrer-Policy no-referrer (the page's address never
// leaves it) and Cache-Control no-store (an upgraded binary serves its own files at once).
HttpResponse WebAssetResponse(const WebAsset& asset);

}  // namespace uudai::gateway

#endif  // UUDAI_GATEWAY_API_DASHBOARD_ASSETS_H_
