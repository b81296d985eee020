// The analysts' dashboard (docs/design.md §4, GET /dashboard), served by the real `uudai serve` and
// loaded in Debian's headless Chromium: the page shows the API's own totals, amounts in đồng
// (`1.250.000 ₫`), the analyst key never reaches a URL, refused keys are explained on the page,
// and screenshots land in the build directory for people to look at
// (tests/dashboard-desktop.png, tests/dashboard-phone.png).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <tuple>

#include <boost/json/array.hpp>

#include "api_test_support.h"
#include "headless_chromium.h"
#include "serve_process.h"

#ifndef UUDAI_BINARY
#error "UUDAI_BINARY must name the uudai executable (see tests/CMakeLists.txt)"
#endif
#ifndef UUDAI_SCREENSHOT_DIR
#error "UUDAI_SCREENSHOT_DIR must name the directory for screenshots (see tests/CMakeLists.txt)"
#endif

namespace uudai::testing {
namespace {

using boost::json::object;
using std::chrono::milliseconds;

// Generous: virtual time only runs out once the page's fetches have all answered.
constexpr milliseconds kPageTime{5000};

// The đồng format the page must use: dot thousands separator, a no-break space, ₫ after; as
// Chromium serialises it (U+00A0 → &nbsp;).
std::string DongInDom(std::int64_t amount) {
  std::string digits = std::to_string(amount);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return out + "&nbsp;₫";
}

object Offer(const std::string& merchant, const std::string& name, const std::string& layer,
             object discount, object extra) {
  object body = AlwaysOnOffer();
  body["merchant_id"] = merchant;
  body["name"] = name;
  body["layer"] = layer;
  body["discount"] = std::move(discount);
  for (auto& [field, value] : extra) body[field] = value;
  return body;
}

// A headline number: {data-value, text} of the element with data-metric=`name`.
std::optional<std::pair<std::string, std::string>> Metric(const std::string& dom,
                                                          const std::string& name) {
  const std::regex pattern("data-metric=\"" + name + "\" data-value=\"([^\"]*)\">([^<]*)<");
  std::smatch match;
  if (!std::regex_search(dom, match, pattern)) return std::nullopt;
  return std::pair{match[1].str(), match[2].str()};
}

class DashboardTest : public ::testing::Test {
 protected:
  // One server per test binary run: a few offers and three dozen redemptions with every final
  // outcome (committed, cancelled, expired, refunded), all settled before any test reads them.
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    serve_ = std::make_unique<ServeProcess>(
        UUDAI_BINARY, WriteTestKeysFile(dir_->path()),
        std::vector<std::string>{"--data-dir", dir_->path() + "/data", "--reservation-ttl", "1"});
    ASSERT_TRUE(serve_->WaitUntilHealthy());
    const object budget{{"total_budget", 5'000'000}};
    CreateOffer(Offer("shop-1", "Điện máy giảm 10%", "merchant",
                      {{"type", "percent"}, {"value", 10}, {"max_amount", 100'000}},
                      {{"limits", budget}}));
    CreateOffer(Offer("shop-2", "Thời trang giảm 50.000 ₫", "merchant",
                      {{"type", "fixed"}, {"value", 50'000}},
                      {{"min_order_amount", 100'000}, {"limits", {{"total_redemptions", 30}}}}));
    CreateOffer(Offer("platform", "Ví MoMo giảm 20.000 ₫", "payment",
                      {{"type", "fixed"}, {"value", 20'000}},
                      {{"payment_methods", boost::json::array{"momo"}},
                       {"funded_by", "payment_partner"},
                       {"funder", "momo"},
                       {"limits", {{"total_redemptions", 40}}}}));
    // Paid back after payment: reported as cashback, apart from the discounts.
    CreateOffer(Offer("platform", "ZaloPay hoàn 5%", "payment",
                      {{"type", "cashback"}, {"value", 5}, {"max_amount", 40'000}},
                      {{"payment_methods", boost::json::array{"zalopay"}},
                       {"funded_by", "payment_partner"},
                       {"funder", "zalopay"}}));
    const char* methods[] = {"momo", "zalopay", "vietqr", "card"};
    for (int i = 0; i < 36; ++i) {
      const std::string order = "order-" + std::to_string(i);
      object body = RedemptionBody(order, 150'000 + 37'500 * i, "s-" + std::to_string(i % 9));
      body["merchant_id"] = i % 3 == 2 ? "shop-2" : "shop-1";
      body["payment_method"] = methods[i % 4];
      const int outcome = i % 6;  // 0-2 committed, 3 refunded, 4 cancelled, 5 expired
      if (outcome <= 3) body["commit"] = true;
      const HttpReply created = CallPort(serve_->port(), "POST", "/v1/redemptions", kCheckoutKey,
                                         Json(body), {{"Idempotency-Key", order}});
      ASSERT_EQ(created.status, 201) << created.body;
      const std::string id(created.Json().at("id").as_string());
      const char* action = outcome == 3 ? "/refund" : outcome == 4 ? "/cancel" : nullptr;
      if (action != nullptr) {
        const HttpReply moved =
            CallPort(serve_->port(), "POST", "/v1/redemptions/" + id + action, kCheckoutKey);
        ASSERT_EQ(moved.status, 200) << moved.body;
      }
    }
    // An offer whose quota of 5 is used up: budget alerts at 80, 95 and 100 %.
    CreateOffer(Offer("shop-3", "Sách giảm 5.000 ₫", "merchant",
                      {{"type", "fixed"}, {"value", 5'000}},
                      {{"limits", {{"total_redemptions", 5}}}}));
    for (int i = 0; i < 5; ++i) {
      const std::string order = "book-" + std::to_string(i);
      object body = RedemptionBody(order, 120'000, "reader-" + std::to_string(i));
      body["merchant_id"] = "shop-3";
      body["payment_method"] = "vietqr";
      body["commit"] = true;
      const HttpReply created = CallPort(serve_->port(), "POST", "/v1/redemptions", kCheckoutKey,
                                         Json(body), {{"Idempotency-Key", order}});
      ASSERT_EQ(created.status, 201) << created.body;
    }
    // The reservations left alone expire within a second or two (TTL 1 s, swept every second).
    for (int attempt = 0; attempt < 100 && Totals().at("redemptions").at("reserved") != 0;
         ++attempt) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    ASSERT_EQ(Totals().at("redemptions").at("expired"), 6);
  }

  static void TearDownTestSuite() {
    serve_.reset();
    dir_.reset();
  }

  void SetUp() override {
    if (serve_ == nullptr) GTEST_FAIL() << "the server did not start";
  }

  static void CreateOffer(const object& body) {
    const HttpReply reply = CallPort(serve_->port(), "POST", "/v1/offers", kAdminKey, Json(body));
    ASSERT_EQ(reply.status, 201) << reply.body;
  }

  // GET /v1/stats/campaign → "totals".
  static object Totals() {
    const HttpReply reply = CallPort(serve_->port(), "GET", "/v1/stats/campaign", kAnalystKey);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.Json().at("totals").as_object();
  }

  static std::string Base() { return "http://127.0.0.1:" + std::to_string(serve_->port()); }

  // The browser, or nullopt after marking the test skipped (only where chromium is absent).
  static std::optional<HeadlessChromium> Browser() {
    if (auto executable = HeadlessChromium::Find()) return HeadlessChromium(*executable);
    return std::nullopt;
  }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::unique_ptr<ServeProcess> serve_;
};

#define REQUIRE_CHROMIUM(browser)                                                      \
  const auto browser = Browser();                                                      \
  if (!browser) {                                                                      \
    GTEST_SKIP() << "chromium is not installed (deploy/install-deps.sh installs it); " \
                    "set UUDAI_CHROMIUM to use another binary";                        \
  }

TEST_F(DashboardTest, PageAndFilesAreServedWithoutAKeyUnderAStrictPolicy) {
  for (const auto& [path, type] : {std::pair{"/dashboard", "text/html; charset=utf-8"},
                                   {"/dashboard/dashboard.css", "text/css; charset=utf-8"},
                                   {"/dashboard/format.js", "text/javascript; charset=utf-8"},
                                   {"/dashboard/charts.js", "text/javascript; charset=utf-8"},
                                   {"/dashboard/panels.js", "text/javascript; charset=utf-8"},
                                   {"/dashboard/dashboard.js", "text/javascript; charset=utf-8"}}) {
    const HttpReply reply = CallPort(serve_->port(), "GET", path, nullptr);

    ASSERT_EQ(reply.status, 200) << path;
    EXPECT_EQ(reply.Header("content-type"), type) << path;
    const std::string policy = reply.Header("content-security-policy");
    EXPECT_NE(policy.find("default-src 'self'"), std::string::npos) << policy;
    EXPECT_NE(policy.find("script-src 'self';"), std::string::npos) << policy;
    EXPECT_EQ(policy.find("unsafe"), std::string::npos) << policy;
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
    EXPECT_EQ(reply.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(reply.Header("referrer-policy"), "no-referrer");
    EXPECT_EQ(reply.Header("cache-control"), "no-store");
    EXPECT_FALSE(reply.body.empty()) << path;
  }
}

TEST_F(DashboardTest, PageHasNoInlineScriptAndLoadsNothingFromElsewhere) {
  const std::string html = CallPort(serve_->port(), "GET", "/dashboard", nullptr).body;

  EXPECT_TRUE(std::regex_search(html, std::regex("<script src=\"/dashboard/dashboard.js\"")));
  EXPECT_FALSE(std::regex_search(html, std::regex("<script(?![^>]*\\bsrc=)[^>]*>")))
      << "every script must be a file";
  EXPECT_FALSE(std::regex_search(html, std::regex("(src|href)=\"(https?:)?//")))
      << "no CDN or other origin";
  EXPECT_EQ(html.find("style="), std::string::npos) << "no inline style";
}

TEST_F(DashboardTest, HeadlineTotalsEqualTheApiTotalsInDong) {
  REQUIRE_CHROMIUM(browser);
  const object totals = Totals();

  const auto page = browser->Load(Base() + "/dashboard#key=" + kAnalystKey, kPageTime);

  ASSERT_NE(page.dom.find("<body data-state=\"ready\">"), std::string::npos)
      << "the page never finished loading its data:\n"
      << page.dom;
  const auto redemptions = Metric(page.dom, "redemptions");
  const auto discount = Metric(page.dom, "discount_committed");
  const auto gmv = Metric(page.dom, "gmv_committed");
  const auto shoppers = Metric(page.dom, "unique_shoppers");
  const auto cashback = Metric(page.dom, "cashback_committed");
  ASSERT_TRUE(redemptions && discount && gmv && shoppers && cashback) << page.dom;
  const auto& api_redemptions = totals.at("redemptions").as_object();
  EXPECT_EQ(redemptions->first, std::to_string(api_redemptions.at("committed").as_int64()));
  EXPECT_EQ(discount->first, std::to_string(totals.at("discount_committed").as_int64()));
  EXPECT_EQ(gmv->first, std::to_string(totals.at("gmv_committed").as_int64()));
  EXPECT_EQ(shoppers->first, std::to_string(totals.at("unique_shoppers").as_int64()));
  // The amounts run into millions, so the thousands separators are exercised.
  ASSERT_GT(totals.at("gmv_committed").as_int64(), 1'000'000);
  EXPECT_EQ(discount->second, DongInDom(totals.at("discount_committed").as_int64()));
  EXPECT_EQ(gmv->second, DongInDom(totals.at("gmv_committed").as_int64()));
  ASSERT_GT(totals.at("cashback_committed").as_int64(), 0);
  EXPECT_EQ(cashback->first, std::to_string(totals.at("cashback_committed").as_int64()));
  EXPECT_EQ(cashback->second, DongInDom(totals.at("cashback_committed").as_int64()));
  EXPECT_TRUE(std::regex_match(gmv->second, std::regex(R"(\d{1,3}(\.\d{3})+&nbsp;₫)")))
      << gmv->second;
  for (const char* status : {"reserved", "released", "expired", "refunded"}) {
    const std::string shown = "data-status=\"" + std::string(status) + "\" data-value=\"" +
                              std::to_string(api_redemptions.at(status).as_int64()) + "\"";
    EXPECT_NE(page.dom.find(shown), std::string::npos) << shown;
  }
  // Every panel was drawn: the time chart, both splits, the merchants and the offers' burn.
  EXPECT_NE(page.dom.find("class=\"time-chart\""), std::string::npos);
  EXPECT_NE(page.dom.find("MoMo"), std::string::npos);
  EXPECT_NE(page.dom.find("Payment partner: MoMo"), std::string::npos);
  // The funder panel shows what each funder pays: ZaloPay's cashback.
  EXPECT_NE(page.dom.find("Payment partner: ZaloPay"), std::string::npos);
  EXPECT_TRUE(std::regex_search(page.dom, std::regex("discount 0&nbsp;₫ · cashback [1-9]")))
      << "the funder panel does not show ZaloPay's cashback";
  EXPECT_NE(page.dom.find("shop-2"), std::string::npos);
  EXPECT_NE(page.dom.find("Thời trang giảm 50.000 ₫"), std::string::npos);
  EXPECT_NE(page.dom.find("Updated at "), std::string::npos);
  // The budget alerts: the used-up quota's three thresholds, newest first, with its name
  const std::size_t at100 = page.dom.find("data-alert-percent=\"100\"");
  const std::size_t at95 = page.dom.find("data-alert-percent=\"95\"");
  const std::size_t at80 = page.dom.find("data-alert-percent=\"80\"");
  ASSERT_NE(at100, std::string::npos) << page.dom;
  ASSERT_NE(at95, std::string::npos);
  ASSERT_NE(at80, std::string::npos);
  EXPECT_LT(at100, at95);
  EXPECT_LT(at95, at80);
  EXPECT_NE(page.dom.find("Sách giảm 5.000 ₫"), std::string::npos);
  EXPECT_NE(page.dom.find("5 of 5 redemptions"), std::string::npos);
}

TEST_F(DashboardTest, KeyFromTheFragmentNeverAppearsInARequestedUrl) {
  REQUIRE_CHROMIUM(browser);

  const auto page = browser->Load(Base() + "/dashboard#key=" + kAnalystKey, kPageTime);

  EXPECT_NE(page.dom.find("data-key-source=\"fragment\""), std::string::npos);
  EXPECT_NE(page.dom.find("<body data-state=\"ready\">"), std::string::npos);
  EXPECT_EQ(page.dom.find(kAnalystKey), std::string::npos) << "the key is in the page";
  EXPECT_FALSE(std::regex_search(page.dom, std::regex("[?&]key="))) << "a key in a query";
  bool read_stats = false;
  for (const std::string& url : page.requested_urls) {
    if (url.rfind(HeadlessChromium::kBrowserServices, 0) == 0) continue;  // not the page's
    EXPECT_EQ(url.rfind(Base() + "/", 0), 0U) << "a request left the server: " << url;
    // Chromium never sends a fragment; no query, path or anything else may carry the key.
    const std::string sent = url.substr(0, url.find('#'));
    EXPECT_EQ(sent.find(kAnalystKey), std::string::npos) << url;
    EXPECT_FALSE(std::regex_search(sent, std::regex("[?&]key="))) << url;
    read_stats = read_stats || sent.find("/v1/stats/campaign") != std::string::npos;
  }
  EXPECT_TRUE(read_stats) << "the page never called the stats API";
}

TEST_F(DashboardTest, UnknownKeyIsExplainedAsA401AndTheKeyFieldIsShown) {
  REQUIRE_CHROMIUM(browser);

  const auto page = browser->Load(Base() + "/dashboard#key=not-a-key-of-this-server", kPageTime);

  EXPECT_NE(page.dom.find("data-status=\"401\""), std::string::npos) << page.dom;
  EXPECT_NE(page.dom.find("401 Unauthorized"), std::string::npos);
  EXPECT_NE(page.dom.find("<section id=\"key-panel\" class=\"key-panel\">"), std::string::npos)
      << "the key field must be visible";
}

TEST_F(DashboardTest, MerchantKeyIsExplainedAsA403) {
  REQUIRE_CHROMIUM(browser);

  const auto page = browser->Load(Base() + "/dashboard#key=" + kMerchantKey, kPageTime);

  EXPECT_NE(page.dom.find("data-status=\"403\""), std::string::npos) << page.dom;
  EXPECT_NE(page.dom.find("analyst"), std::string::npos);
}

TEST_F(DashboardTest, WithoutAKeyThePageAsksForOneAndCallsNoApi) {
  REQUIRE_CHROMIUM(browser);

  const auto page = browser->Load(Base() + "/dashboard", kPageTime);

  EXPECT_NE(page.dom.find("<section id=\"key-panel\" class=\"key-panel\">"), std::string::npos);
  for (const std::string& url : page.requested_urls) {
    if (url.rfind(HeadlessChromium::kBrowserServices, 0) == 0) continue;  // not the page's
    EXPECT_EQ(url.find("/v1/"), std::string::npos) << url;
  }
}

TEST_F(DashboardTest, ScreenshotsOnALaptopAndAPhone) {
  REQUIRE_CHROMIUM(browser);

  for (const auto& [name, width, height] :
       {std::tuple{"desktop", 1280, 1600}, std::tuple{"phone", 390, 2400}}) {
    const std::string png = std::string(UUDAI_SCREENSHOT_DIR) + "/dashboard-" + name + ".png";
    std::remove(png.c_str());

    browser->Screenshot(Base() + "/dashboard#key=" + kAnalystKey, png, width, height, kPageTime);

    std::ifstream in(png, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.substr(0, 8), "\x89PNG\r\n\x1a\n") << png;
    EXPECT_GT(bytes.size(), 20'000U) << png << " looks blank";
    std::cout << "screenshot: " << png << "\n";
  }
}

}  // namespace
}  // namespace uudai::testing
