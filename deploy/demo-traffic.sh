#!/usr/bin/env bash
# Demo checkout traffic for the analysts' dashboard: sends COUNT redemptions (default 60) with
# mixed outcomes (about 7 in 10 committed, 1 cancelled, 1 committed then refunded, 1 left
# reserved to expire) to a server started by deploy/run-demo.sh, so that /dashboard and the
# stats endpoints have figures to show. Carts vary in shop, payment method, amount and shopper;
# a quarter carry the demo's public code THANG10.
#
# The demo campaign's own offers apply only in October, so the script first registers (once,
# with the demo admin key) eight offers valid from 2026 to 2030 at the demo shops and payment
# partners, a cashback and a first-order offer among them. Refused redemptions (409: nothing
# applied, or a limit reached) are counted, not fatal. Usage: deploy/demo-traffic.sh [COUNT];
# UUDAI_URL (default http://127.0.0.1:8080) and UUDAI_DEMO_SEED (repeatable carts) are read from
# the environment. Needs bash and curl.
set -euo pipefail

base="${UUDAI_URL:-http://127.0.0.1:8080}"
count="${1:-60}"
if [ -n "${UUDAI_DEMO_SEED:-}" ]; then RANDOM=$UUDAI_DEMO_SEED; fi
admin='Authorization: Bearer demo-admin-key-change-me'
checkout='Authorization: Bearer demo-checkout-key-change-me'
json='Content-Type: application/json'
window='"starts_at":"2026-01-01T00:00:00+07:00","ends_at":"2030-01-01T00:00:00+07:00"'

# ensure_offer NAME FIELDS: registers {"name":NAME, FIELDS, window} unless an offer has NAME.
ensure_offer() {
  if curl -fsS "$base/v1/offers?limit=1000" -H "$admin" | grep -qF "\"name\":\"$1\""; then
    return
  fi
  curl -fsS "$base/v1/offers" -H "$admin" -H "$json" -d "{\"name\":\"$1\",$2,$window}" >/dev/null
}

ensure_offer 'Điện máy: giảm 8%, tối đa 300.000 ₫' \
  '"merchant_id":"shop-dienmay","discount":{"type":"percent","value":8,"max_amount":300000},
   "categories":["electronics"],"min_order_amount":1000000,"limits":{"total_budget":40000000}'
ensure_offer 'Thời trang: giảm 40.000 ₫ từ 250.000 ₫' \
  '"merchant_id":"shop-thoitrang","discount":{"type":"fixed","value":40000},
   "min_order_amount":250000,"limits":{"total_redemptions":400}'
ensure_offer 'Bách hoá: giảm 5%, tối đa 50.000 ₫' \
  '"merchant_id":"shop-bachhoa","discount":{"type":"percent","value":5,"max_amount":50000},
   "limits":{"total_redemptions":300,"total_budget":6000000}'
ensure_offer 'Sàn: giảm 3% khi thanh toán số' \
  '"merchant_id":"platform","layer":"platform","funded_by":"platform",
   "discount":{"type":"percent","value":3,"max_amount":30000},"min_order_amount":200000,
   "payment_methods":["digital"],"limits":{"total_budget":20000000}'
ensure_offer 'ZaloPay: giảm 15.000 ₫' \
  '"merchant_id":"platform","layer":"payment","funded_by":"payment_partner","funder":"zalopay",
   "discount":{"type":"fixed","value":15000},"min_order_amount":100000,
   "payment_methods":["zalopay"],"limits":{"total_budget":3000000}'
ensure_offer 'VNPay: giảm 10.000 ₫' \
  '"merchant_id":"platform","layer":"payment","funded_by":"payment_partner","funder":"vnpay",
   "discount":{"type":"fixed","value":10000},"min_order_amount":100000,
   "payment_methods":["vnpay"],"limits":{"total_budget":1500000}'
ensure_offer 'ShopeePay: hoàn 5%, tối đa 40.000 ₫' \
  '"merchant_id":"platform","layer":"payment","funded_by":"payment_partner","funder":"shopeepay",
   "discount":{"type":"cashback","value":5,"max_amount":40000},"min_order_amount":100000,
   "payment_methods":["shopeepay"],"limits":{"total_budget":2000000}'
ensure_offer 'Mẹ & Bé: đơn đầu tiên giảm 25.000 ₫' \
  '"merchant_id":"shop-mebe","discount":{"type":"fixed","value":25000},"first_order":true,
   "min_order_amount":150000'

shops=(shop-dienmay shop-thoitrang shop-bachhoa shop-mebe)
categories=(electronics fashion grocery diapers)
methods=(momo momo momo zalopay zalopay vnpay vietqr vietqr card card shopeepay bank_transfer cod)
run="$(date +%s)-$$"
created=0 committed=0 cancelled=0 refunded=0 reserved=0 refused=0
for ((i = 0; i < count; i++)); do
  shop=$((RANDOM % 4))
  quantity=$((RANDOM % 2 + 1))
  case $shop in
    0) price=$(((RANDOM % 40 + 6) * 250000)) ;;
    1) price=$(((RANDOM % 20 + 3) * 50000)) ;;
    2) price=$(((RANDOM % 30 + 4) * 25000)) ;;
    *) price=$(((RANDOM % 10 + 15) * 10000)) quantity=$((RANDOM % 5 + 1)) ;;  # "mua 2 tặng 1"
  esac
  method=${methods[$((RANDOM % ${#methods[@]}))]}
  order="DEMO-$run-$i"
  codes=''
  if ((RANDOM % 4 == 0)); then codes='"codes":["THANG10"],'; fi
  outcome=$((RANDOM % 10))  # 0-6 committed, 7 cancelled, 8 refunded, 9 left reserved
  commit=false
  if ((outcome <= 6 || outcome == 8)); then commit=true; fi
  body="{\"shopper_id\":\"shopper-$((RANDOM % 500))\",\"merchant_id\":\"${shops[$shop]}\",
    \"payment_method\":\"$method\",\"shipping_fee\":30000,$codes
    \"items\":[{\"sku\":\"sku-$shop-$((RANDOM % 40))\",\"category\":\"${categories[$shop]}\",
    \"unit_price\":$price,\"quantity\":$quantity}],
    \"order_id\":\"$order\",\"commit\":$commit}"
  reply=$(curl -sS "$base/v1/redemptions" -H "$checkout" -H "$json" \
    -H "Idempotency-Key: $order" -d "$body" -w '\n%{http_code}')
  if [ "${reply##*$'\n'}" != 201 ]; then
    refused=$((refused + 1))
    continue
  fi
  created=$((created + 1))
  id=$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' <<<"$reply")
  case $outcome in
    7) curl -fsS -X POST "$base/v1/redemptions/$id/cancel" -H "$checkout" >/dev/null
       cancelled=$((cancelled + 1)) ;;
    8) curl -fsS -X POST "$base/v1/redemptions/$id/refund" -H "$checkout" >/dev/null
       refunded=$((refunded + 1)) ;;
    9) reserved=$((reserved + 1)) ;;
    *) committed=$((committed + 1)) ;;
  esac
done

echo "demo-traffic: $created redemptions ($committed committed, $cancelled cancelled," \
  "$refunded refunded, $reserved left reserved to expire), $refused refused"
echo "dashboard: $base/dashboard#key=demo-analyst-key-change-me"
