// GET /v1/redemptions/export (docs/design.md §4): one row per redemption, NDJSON or CSV, streamed
// with chunked transfer coding.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "api_test_support.h"
#include "json/redemption_export.h"

namespace uudai::testing {
namespace {

constexpr const char* kBom = "\xEF\xBB\xBF";
constexpr const char* kCsvHeader =
    "id,status,created_at,expires_at,committed_at,released_at,expired_at,refunded_at,"
    "shopper_id,merchant_id,order_id,payment_method,subtotal,shipping_fee,discount_total,total,"
    "cashback_total,applied_offers,applied_codes,applied_offer_names";

// Lines of `text` split at `separator`, without a trailing empty line.
std::vector<std::string> Lines(const std::string& text, const std::string& separator) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + separator.size();
  }
  return lines;
}

HttpReply Export(TestGateway& gateway, const std::string& query, const char* key = kAnalystKey) {
  return gateway.Call("GET", "/v1/redemptions/export" + query, key);
}

// Creates `count` redemptions of shopper s-<i>, order o-<first + i>; returns their ids.
std::vector<std::string> RedeemMany(TestGateway& gateway, int first, int count,
                                    const std::string& shopper_prefix = "s-") {
  std::vector<std::string> ids;
  for (int i = first; i < first + count; ++i) {
    ids.push_back(RedeemOrThrow(
        gateway,
        RedemptionBody("o-" + std::to_string(i), 100'000, shopper_prefix + std::to_string(i)),
        "idem-" + std::to_string(i)));
  }
  return ids;
}

std::string CsvField(const std::string& text) {
  std::string out;
  gateway::AppendCsvField(out, text);
  return out;
}

TEST(CsvFieldTest, QuotesOnlyWhatRfc4180RequiresAndGuardsFormulas) {
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("shop-1"), "shop-1");
  EXPECT_EQ(CsvField("Giảm 50.000₫"), "Giảm 50.000₫");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
  for (const char* formula : {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"}) {
    EXPECT_EQ(CsvField(formula), "\"'" + std::string(formula) + "\"") << formula;
  }
  EXPECT_EQ(CsvField("=\"x\""), "\"'=\"\"x\"\"\"");
}

TEST(ExportApiTest, NdjsonRowsAreTheRedemptionsAsGetAnswersThemInCreationOrder) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  const std::vector<std::string> ids = RedeemMany(gateway, 0, 5);
  ASSERT_EQ(gateway.Call("POST", "/v1/redemptions/" + ids[1] + "/commit", kCheckoutKey).status,
            200);
  ASSERT_EQ(gateway.Call("POST", "/v1/redemptions/" + ids[3] + "/cancel", kCheckoutKey).status,
            200);

  const HttpReply reply = Export(gateway, "?format=ndjson");

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Header("content-type"), "application/x-ndjson");
  EXPECT_EQ(reply.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(reply.Header("content-length"), "");
  EXPECT_EQ(reply.Header("cache-control"), "no-store");
  const std::vector<std::string> lines = Lines(reply.body, "\n");
  ASSERT_EQ(lines.size(), 5U);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const HttpReply one = gateway.Call("GET", "/v1/redemptions/" + ids[i], kAnalystKey);
    EXPECT_EQ(boost::json::parse(lines[i]), one.Json()) << lines[i];
  }
  EXPECT_EQ(boost::json::parse(lines[1]).at("status"), "committed");
  EXPECT_EQ(boost::json::parse(lines[3]).at("status"), "released");
}

TEST(ExportApiTest, NdjsonIsTheDefaultFormat) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  RedeemMany(gateway, 0, 2);
  const HttpReply reply = Export(gateway, "");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("content-type"), "application/x-ndjson");
  EXPECT_EQ(Lines(reply.body, "\n").size(), 2U);
}

TEST(ExportApiTest, CsvHasByteOrderMarkHeaderRowCrlfAndRfc4180Quoting) {
  TestGateway gateway;
  boost::json::object offer = OfferBody();
  offer["name"] = "Giảm 10%, \"Tháng 10\"";
  const std::string offer_id = CreateOffer(gateway, kMerchantKey, offer);
  // Ids may start with '@' or '-': a spreadsheet must not run them as formulas.
  const std::string id =
      RedeemOrThrow(gateway, RedemptionBody("-order-1", 100'000, "@shopper"), "idem-csv");

  const HttpReply reply = Export(gateway, "?format=csv");

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Header("content-type"), "text/csv; charset=utf-8; header=present");
  EXPECT_EQ(reply.Header("content-disposition"), "attachment; filename=\"uudai-redemptions.csv\"");
  ASSERT_EQ(reply.body.rfind(kBom, 0), 0U) << "starts with the UTF-8 byte-order mark";
  const std::vector<std::string> lines = Lines(reply.body.substr(3), "\r\n");
  ASSERT_EQ(lines.size(), 2U) << reply.body;
  EXPECT_EQ(lines[0], kCsvHeader);
  EXPECT_EQ(reply.body.find('\n'), reply.body.find("\r\n") + 1) << "every line ends with CRLF";
  const std::string& row = lines[1];
  EXPECT_EQ(row.rfind(id + ",reserved,2026-10-10T12:00:00+07:00,2026-10-10T12:15:00+07:00,,,,,", 0),
            0U)
      << row;
  EXPECT_NE(row.find(",\"'@shopper\",shop-1,\"'-order-1\",momo,100000,0,10000,90000,0,"),
            std::string::npos)
      << row;
  EXPECT_NE(row.find("," + offer_id + ":10000,,\"Giảm 10%, \"\"Tháng 10\"\"\""), std::string::npos)
      << row;
}

// A cashback is a column of its own, and marked as such among the applied offers.
TEST(ExportApiTest, CsvCarriesTheCashbackApartFromTheDiscount) {
  TestGateway gateway;
  const std::string shop_offer = CreateOffer(gateway, kMerchantKey, OfferBody());
  boost::json::object wallet = CashbackOfferBody();
  wallet["discount"].as_object()["value"] = 5;
  const std::string cashback_offer = CreateOffer(gateway, kAdminKey, wallet);
  RedeemOrThrow(gateway, RedemptionBody("order-1", 300'000, "s-1"), "idem-cb");

  const HttpReply reply = Export(gateway, "?format=csv");

  ASSERT_EQ(reply.status, 200) << reply.body;
  const std::vector<std::string> lines = Lines(reply.body.substr(3), "\r\n");
  ASSERT_EQ(lines.size(), 2U) << reply.body;
  // subtotal, shipping, discount_total, total, cashback_total, applied offers
  EXPECT_NE(lines[1].find(",300000,0,30000,270000,15000," + shop_offer + ":30000;" +
                          cashback_offer + ":cashback:15000,"),
            std::string::npos)
      << lines[1];
}

TEST(ExportApiTest, ExportOfManyPagesHoldsEveryRedemptionOnce) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  const std::vector<std::string> ids = RedeemMany(gateway, 0, 2'345);  // 3 pages of 1,000

  const HttpReply ndjson = Export(gateway, "?format=ndjson");
  const HttpReply csv = Export(gateway, "?format=csv");

  ASSERT_EQ(ndjson.status, 200);
  std::vector<std::string> exported;
  for (const std::string& line : Lines(ndjson.body, "\n")) {
    exported.emplace_back(boost::json::parse(line).at("id").as_string());
  }
  EXPECT_EQ(exported, ids);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(Lines(csv.body, "\r\n").size(), ids.size() + 1);
}

TEST(ExportApiTest, BodyIsSentInChunksEndingWithTheLastChunk) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  RedeemMany(gateway, 0, 1'500);
  const std::string raw =
      RawExchange(gateway.port(),
                  "GET /v1/redemptions/export HTTP/1.1\r\nHost: t\r\n"
                  "Authorization: Bearer " +
                      std::string(kAnalystKey) + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(raw), 200);
  EXPECT_NE(raw.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  const std::size_t body = raw.find("\r\n\r\n") + 4;
  // Two pages → at least two data chunks, then "0\r\n\r\n".
  EXPECT_GE(raw.size() - body, 2U);
  EXPECT_EQ(raw.substr(raw.size() - 5), "0\r\n\r\n");
  std::size_t chunks = 0;
  for (std::size_t at = body; at < raw.size();) {
    const std::size_t line_end = raw.find("\r\n", at);
    const std::size_t size = std::stoul(raw.substr(at, line_end - at), nullptr, 16);
    if (size == 0) break;
    ++chunks;
    at = line_end + 2 + size + 2;
  }
  EXPECT_GE(chunks, 2U);
}

TEST(ExportApiTest, FromAndToSelectTheCreationTimeHalfOpen) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  RedeemMany(gateway, 0, 2);  // 12:00
  gateway.clock().Advance(kMillisPerHour);
  const std::vector<std::string> at_one = RedeemMany(gateway, 2, 3);  // 13:00
  gateway.clock().Advance(kMillisPerHour);
  RedeemMany(gateway, 5, 1);  // 14:00

  const HttpReply reply = Export(gateway,
                                 "?from=2026-10-10T13:00:00%2B07:00"
                                 "&to=2026-10-10T14:00:00%2B07:00");

  ASSERT_EQ(reply.status, 200) << reply.body;
  std::vector<std::string> exported;
  for (const std::string& line : Lines(reply.body, "\n")) {
    exported.emplace_back(boost::json::parse(line).at("id").as_string());
  }
  EXPECT_EQ(exported, at_one);
  EXPECT_EQ(Lines(Export(gateway, "?from=2026-10-10").body, "\n").size(), 6U) << "a local date";
  EXPECT_EQ(Export(gateway, "?from=2026-10-11&format=csv").body,
            kBom + std::string(kCsvHeader) + "\r\n")
      << "no row: the header alone";
}

TEST(ExportApiTest, BadParametersAre422NamingEachOne) {
  TestGateway gateway;
  const HttpReply reply = Export(gateway, "?format=xlsx&from=yesterday");
  ASSERT_TRUE(IsProblem(reply, 422, "validation_failed")) << reply.body;
  EXPECT_EQ(ErrorPaths(reply), (std::vector<std::string>{"from", "format"}));
  const HttpReply backwards = Export(gateway, "?from=2026-10-11&to=2026-10-10");
  ASSERT_TRUE(IsProblem(backwards, 422, "validation_failed"));
  EXPECT_EQ(ErrorPaths(backwards), std::vector<std::string>{"to"});
}

TEST(ExportApiTest, OnlyAnalystsAndAdminsMayExport) {
  TestGateway gateway;
  EXPECT_EQ(Export(gateway, "", kAdminKey).status, 200);
  EXPECT_EQ(Export(gateway, "", kAnalystKey).status, 200);
  EXPECT_TRUE(IsProblem(Export(gateway, "", kMerchantKey), 403, "forbidden"));
  EXPECT_TRUE(IsProblem(Export(gateway, "", kCheckoutKey), 403, "forbidden"));
  EXPECT_TRUE(IsProblem(Export(gateway, "", nullptr), 401, "unauthorized"));
}

TEST(ExportApiTest, HeadAnswersTheHeaderWithoutABody) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  RedeemMany(gateway, 0, 3);
  const std::string raw =
      RawExchange(gateway.port(),
                  "HEAD /v1/redemptions/export?format=csv HTTP/1.1\r\n"
                  "Host: t\r\nAuthorization: Bearer " +
                      std::string(kAnalystKey) + "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(raw), 200);
  EXPECT_NE(raw.find("Content-Type: text/csv"), std::string::npos);
  EXPECT_EQ(raw.substr(raw.find("\r\n\r\n") + 4), "");
}

TEST(ExportApiTest, KeepAliveConnectionServesTheNextRequestAfterAnExport) {
  TestGateway gateway;
  CreateOffer(gateway, kMerchantKey, OfferBody());
  RedeemMany(gateway, 0, 1'200);
  HttpConnection connection(gateway.port());
  const Headers auth{{"Authorization", std::string("Bearer ") + kAnalystKey}};
  const HttpReply exported = connection.Send("GET", "/v1/redemptions/export", "", auth);
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(Lines(exported.body, "\n").size(), 1'200U);
  const HttpReply next = connection.Send("GET", "/healthz", "", {});
  EXPECT_EQ(next.status, 200);
}

}  // namespace
}  // namespace uudai::testing
