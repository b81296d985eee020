-- POST /redeem of the hand-written nginx + Lua + Redis endpoint (PEER_DIR): a random shopper
-- of 1..1,000,000 and a 300,000 đồng order, as that endpoint's README loads it.
init = function(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

request = function()
  return wrk.format("POST", "/redeem", {["Content-Type"] = "application/json"},
    '{"shopper_id":"s' .. math.random(1, 1000000) .. '","order_amount":300000}')
end
