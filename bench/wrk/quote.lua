-- POST /v1/checkout/quote with random 5-item carts at random shops (env SHOPS).
local key = os.getenv("CHECKOUT_KEY")
local shops = tonumber(os.getenv("SHOPS") or "100")
local methods = {"momo", "zalopay", "vnpay", "vietqr", "card", "cod"}
local categories = {"electronics", "fashion", "grocery", "beauty", "home"}
local headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}

local function cart_json(extra)
  local items = {}
  for i = 1, 5 do
    items[i] = string.format('{"sku":"sku-%d","category":"%s","unit_price":%d,"quantity":%d}',
      math.random(1, 1000), categories[math.random(#categories)], 10000 * math.random(1, 50),
      math.random(1, 3))
  end
  return string.format(
    '{"shopper_id":"s-%d","merchant_id":"shop-%d","payment_method":"%s","shipping_fee":30000,' ..
    '"items":[%s]%s}',
    math.random(1, 100000), math.random(0, shops - 1), methods[math.random(#methods)],
    table.concat(items, ","), extra or "")
end

init = function(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

request = function()
  return wrk.format("POST", "/v1/checkout/quote", headers, cart_json())
end

_G.cart_json = cart_json
