-- Registers N offers (env OFFERS, default 1000) across N/10 shops through POST /v1/offers,
-- then stops. Run with one connection: wrk -t1 -c1 -d120s -s load_offers.lua URL
local total = tonumber(os.getenv("OFFERS") or "1000")
local key = os.getenv("ADMIN_KEY")
local sent, done = 0, 0
local shops = math.max(1, math.floor(total / 10))
local starts = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 86400)
local ends = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 30 * 86400)
local categories = {"electronics", "fashion", "grocery", "beauty", "home"}

request = function()
  sent = sent + 1
  local n = sent
  local shop = "shop-" .. (n % shops)
  local discount
  if n % 2 == 0 then
    discount = string.format('{"type":"percent","value":%d,"max_amount":%d}', 5 + n % 20, 50000 + 10000 * (n % 5))
  else
    discount = string.format('{"type":"fixed","value":%d}', 10000 + 5000 * (n % 6))
  end
  local extra = ""
  if n % 3 == 0 then extra = string.format(',"categories":["%s"]', categories[1 + n % #categories]) end
  local body = string.format(
    '{"merchant_id":"%s","name":"Bench offer %d","discount":%s,"min_order_amount":%d,' ..
    '"starts_at":"%s","ends_at":"%s","priority":%d%s}',
    shop, n, discount, 50000 * (n % 6), starts, ends, n % 3, extra)
  return wrk.format("POST", "/v1/offers",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  if status ~= 201 then
    io.stderr:write("offer load failed: " .. status .. " " .. body .. "\n")
    os.exit(1)
  end
  done = done + 1
  -- wrk.thread:stop() would end this thread's loop, but wrk's main thread still sleeps out
  -- the whole -d duration: leave at once instead (nothing of wrk's report is needed).
  if done >= total then os.exit(0) end
end
