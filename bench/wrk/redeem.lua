-- POST /v1/redemptions with "commit": true (reserve + commit in one request), each with its
-- own Idempotency-Key and order id; random shops, shoppers and carts (env SHOPS).
local key = os.getenv("CHECKOUT_KEY")
local shops = tonumber(os.getenv("SHOPS") or "100")
local methods = {"momo", "zalopay", "vnpay", "vietqr", "card"}
local categories = {"electronics", "fashion", "grocery", "beauty", "home"}
local counter = 0
local thread_tag = ""

init = function(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
  thread_tag = tostring(math.random(1, 1e9)) .. "-" .. tostring(os.time())
end

request = function()
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

