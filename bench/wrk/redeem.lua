-- POST /v1/redemptions with "commit": true (reserve + commit in one request), each with its
-- own shopper, order id and Idempotency-Key; random shops and carts (env SHOPS).
-- Env TAG (optional): put in every id, so that two wrk processes never share one.
-- Env ATTEMPTS (optional; run with -t1): send exactly that many redemptions, then only
-- GET /healthz until every one of them is answered, then print
-- "attempts: sent=N answered=N 201=N 409=N other=N" and exit (wrk's own report is skipped).
local key = os.getenv("CHECKOUT_KEY")
local shops = tonumber(os.getenv("SHOPS") or "100")
local attempts = tonumber(os.getenv("ATTEMPTS") or "")
local methods = {"momo", "zalopay", "vnpay", "vietqr", "card"}
local categories = {"electronics", "fashion", "grocery", "beauty", "home"}
local counter = 0
-- wrk calls request() once on the first thread before the run, to check it, and never sends
-- that request: with ATTEMPTS, on -t1, it is not counted as sent.
local unsent = 1
local thread_tag = ""
local answered, created, refused, other = 0, 0, 0, 0

init = function(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
  thread_tag = (os.getenv("TAG") or "") .. tostring(math.random(1, 1e9)) .. "-" .. tostring(os.time())
end

request = function()
  if attempts and counter >= attempts + unsent then
    return wrk.format("GET", "/healthz")
  end
  counter = counter + 1
  local id = thread_tag .. "-" .. counter
  local items = {}
  for i = 1, 5 do
    items[i] = string.format('{"sku":"sku-%d","category":"%s","unit_price":%d,"quantity":%d}',
      math.random(1, 1000), categories[math.random(#categories)], 10000 * math.random(5, 50),
      math.random(1, 3))
  end
  local body = string.format(
    '{"shopper_id":"s-%s","merchant_id":"shop-%d","payment_method":"%s","shipping_fee":30000,' ..
    '"order_id":"o-%s","commit":true,"items":[%s]}',
    id, math.random(0, shops - 1), methods[math.random(#methods)], id, table.concat(items, ","))
  return wrk.format("POST", "/v1/redemptions",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json",
     ["Idempotency-Key"] = "k-" .. id}, body)
end

if attempts then
  -- /healthz answers 200; a redemption never does.
  response = function(status, headers, body)
    if status == 200 then return end
    answered = answered + 1
    if status == 201 then created = created + 1
    elseif status == 409 then refused = refused + 1
    else other = other + 1 end
    if answered >= attempts then
      io.write(string.format("attempts: sent=%d answered=%d 201=%d 409=%d other=%d\n",
        counter - unsent, answered, created, refused, other))
      io.stdout:flush()
      os.exit(0)
    end
  end
end
