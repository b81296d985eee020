-- The soak's mixed load (bench/run-soak.sh) at a fixed rate: RATE requests/s per wrk thread
-- (bench/wrk/pacing.lua; run from the repository root).
-- Of the requests it starts (percentages, env QUOTE_PCT / REDEEM_PCT, stats reads the rest):
--   quotes            POST /v1/checkout/quote
--   redemptions       POST /v1/redemptions: COMMIT_NOW_PCT of them with "commit": true; of the
--                     reserved ones, half are committed, a quarter cancelled and a quarter left
--                     to expire (POST /v1/redemptions/{id}/commit|cancel, sent by the next
--                     request of the same thread); REFUND_PCT of the committed ones refunded
--   stats reads       GET /v1/stats/campaign?group_by=day, GET /v1/stats/offers/{id} (ids from
--                     the file SOAK_OFFERS, one per line)
-- Carts: 5 items at a random shop (SHOPS), a shopper from a pool of SHOPPERS (so per-shopper
-- limits bind), a random payment method, the public code SOAK_CODE in CODE_PCT of them.
-- The id of every redemption answered 201 is appended to the file SOAK_ACKED (one per line).
-- At the end it prints one line "soak-counts outcome=n ..." (responses by kind and status).
dofile("bench/wrk/pacing.lua")
local checkout_key = os.getenv("CHECKOUT_KEY")
local analyst_key = os.getenv("ANALYST_KEY")
local shops = tonumber(os.getenv("SHOPS") or "100")
local shoppers = tonumber(os.getenv("SHOPPERS") or "2000")
local quote_pct = tonumber(os.getenv("QUOTE_PCT") or "55")
local redeem_pct = tonumber(os.getenv("REDEEM_PCT") or "35")
local commit_now_pct = tonumber(os.getenv("COMMIT_NOW_PCT") or "40")
local refund_pct = tonumber(os.getenv("REFUND_PCT") or "5")
local code_pct = tonumber(os.getenv("CODE_PCT") or "20")
local code = os.getenv("SOAK_CODE") or "SOAKCODE"
local run_tag = os.getenv("RUN_TAG") or tostring(os.time())
local methods = {"momo", "zalopay", "vnpay", "vietqr", "card", "bank_transfer", "cod"}
local categories = {"electronics", "fashion", "grocery", "beauty", "home"}

local json_headers = {["Authorization"] = "Bearer " .. checkout_key,
                      ["Content-Type"] = "application/json"}
local analyst_headers = {["Authorization"] = "Bearer " .. (analyst_key or "")}

-- Main state: the threads, to sum their counters in done().
local threads = {}

setup = function(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

-- Thread state.
local offer_ids = {}
local follow_ups = {}  -- {path} to send next: commit, cancel or refund of a redemption
local counter = 0
local acked = nil
counts = {}

local function count(outcome) counts[outcome] = (counts[outcome] or 0) + 1 end

init = function(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0) + 7919 * (thread_id or 0))
  local file = io.open(os.getenv("SOAK_OFFERS") or "", "r")
  if file then
    for line in file:lines() do
      if #line > 0 then offer_ids[#offer_ids + 1] = line end
    end
    file:close()
  end
  acked = io.open(os.getenv("SOAK_ACKED") or "/dev/null", "a")
  acked:setvbuf("line")
end

delay = paced_delay(tonumber(os.getenv("RATE") or "500"))

local function cart_json(extra)
  local items = {}
  for i = 1, 5 do
    items[i] = string.format('{"sku":"sku-%d","category":"%s","unit_price":%d,"quantity":%d}',
      math.random(1, 1000), categories[math.random(#categories)], 10000 * math.random(5, 50),
      math.random(1, 3))
  end
  local codes = ""
  if math.random(100) <= code_pct then codes = string.format(',"codes":["%s"]', code) end
  return string.format(
    '{"shopper_id":"s-%d","merchant_id":"shop-%d","payment_method":"%s","shipping_fee":30000,' ..
    '"items":[%s]%s%s}',
    math.random(1, shoppers), math.random(0, shops - 1), methods[math.random(#methods)],
    table.concat(items, ","), codes, extra or "")
end

request = function()
  if #follow_ups > 0 then
    local path = table.remove(follow_ups, 1)
    return wrk.format("POST", path, json_headers, "")
  end
  local pick = math.random(100)
  if pick <= quote_pct then
    return wrk.format("POST", "/v1/checkout/quote", json_headers, cart_json())
  end
  if pick <= quote_pct + redeem_pct then
    counter = counter + 1
    local id = run_tag .. "-" .. tostring(thread_id) .. "-" .. counter
    local commit = ""
    if math.random(100) <= commit_now_pct then commit = ',"commit":true' end
    local headers = {["Authorization"] = json_headers["Authorization"],
                     ["Content-Type"] = "application/json", ["Idempotency-Key"] = "k-" .. id}
    return wrk.format("POST", "/v1/redemptions", headers,
                      cart_json(string.format(',"order_id":"o-%s"%s', id, commit)))
  end
  if #offer_ids == 0 or math.random(2) == 1 then
    return wrk.format("GET", "/v1/stats/campaign?group_by=day", analyst_headers)
  end
  return wrk.format("GET", "/v1/stats/offers/" .. offer_ids[math.random(#offer_ids)],
                    analyst_headers)
end

-- wrk does not say which request a response answers: its status and body do.
response = function(status, headers, body)
  if status == 201 then
    local id = body:match('"id":"([^"]+)"')
    acked:write(id, "\n")
    if body:find('"status":"reserved"', 1, true) then
      count("create_201_reserved")
      local r = math.random(100)
      if r <= 50 then
        follow_ups[#follow_ups + 1] = "/v1/redemptions/" .. id .. "/commit"
      elseif r <= 75 then
        follow_ups[#follow_ups + 1] = "/v1/redemptions/" .. id .. "/cancel"
      end  -- else: left to expire
    else
      count("create_201_committed")
      if math.random(100) <= refund_pct then
        follow_ups[#follow_ups + 1] = "/v1/redemptions/" .. id .. "/refund"
      end
    end
  elseif status == 200 then
    if body:find('"groups":', 1, true) then
      count("campaign_stats_200")
    elseif body:find('"by_day":', 1, true) then
      count("offer_stats_200")
    elseif body:find('"status":"committed"', 1, true) then
      count("commit_200")
      if math.random(100) <= refund_pct then
        follow_ups[#follow_ups + 1] = "/v1/redemptions/" .. body:match('"id":"([^"]+)"') ..
                                      "/refund"
      end
    elseif body:find('"status":"released"', 1, true) then
      count("cancel_200")
    elseif body:find('"status":"refunded"', 1, true) then
      count("refund_200")
    else
      count("quote_200")
    end
  else
    count(tostring(status) .. "_" .. (body:match('"code":"([^"]+)"') or "none"))
  end
end

done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for outcome, n in pairs(thread:get("counts")) do total[outcome] = (total[outcome] or 0) + n end
  end
  local keys = {}
  for outcome in pairs(total) do keys[#keys + 1] = outcome end
  table.sort(keys)
  local parts = {}
  for _, outcome in ipairs(keys) do parts[#parts + 1] = outcome .. "=" .. total[outcome] end
  io.write("soak-counts " .. table.concat(parts, " ") .. "\n")
end
