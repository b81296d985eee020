#include "api/dashboard_assets.h"

#include <array>
#include <string>

namespace uudai::gateway {

// Generated from gateway/web/ by embed_text.cmake (see gateway/CMakeLists.txt).
extern const std::string_view kDashboardHtml;
extern const std::string_view kDashboardCss;
extern const std::string_view kDashboardFormatJs;
extern const std::string_view kDashboardChartsJs;
extern const std::string_view kDashboardPanelsJs;
extern const std::string_view kDashboardJs;

namespace {

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

constexpr std::string_view kJavaScript = "text/javascript; charset=utf-8";

}  // namespace

std::span<const WebAsset> DashboardAssets() {
  // Function-local so the extern string_views are initialised before first use.
  static const std::array<WebAsset, 6> kAssets = {{
      {"/dashboard", "text/html; charset=utf-8", kDashboardHtml},
      {"/dashboard/dashboard.css", "text/css; charset=utf-8", kDashboardCss},
      {"/dashboard/format.js", kJavaScript, kDashboardFormatJs},
      {"/dashboard/charts.js", kJavaScript, kDashboardChartsJs},
      {"/dashboard/panels.js", kJavaScript, kDashboardPanelsJs},
      {"/dashboard/dashboard.js", kJavaScript, kDashboardJs},
  }};
  return kAssets;
}

const WebAsset* FindDashboardAsset(std::string_view path) {
  for (const WebAsset& asset : DashboardAssets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

HttpResponse WebAssetResponse(const WebAsset& asset) {
  HttpResponse response;
  response.content_type = std::string(asset.content_type);
  response.body = std::string(asset.body);
  response.headers = {
      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cache-Control", "no-store"},
  };
  return response;
}

}  // namespace uudai::gateway
