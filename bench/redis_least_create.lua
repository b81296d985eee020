-- The least a create could be in a Redis script with uudai's guarantees for one applied offer,
-- none of uudai's own code: a bench yardstick for the create's Redis CPU
-- (bench/run-redis-least-create.sh), never part of the store.
-- Reads: the idempotency claim, the order's live redemption, the shopper's count, the offer's
-- live count and budget. Writes: the offer's count and budget, the live order, the shopper's
-- count, the record, the claim, and (when told) one log entry for the other gateways' views.
-- No event, no ledger, no lifetime amount, no sequence numbers, no checks past a quota.
-- ARGV: Idempotency-Key, order key, shopper, offer id, discount, redemption id, record,
-- where the claim goes ("key": a key of its own with a TTL, as uudai keeps it; "bucket": a
-- field of a small hash, no TTL, which would need sweeping), "log" or "nolog".
local p = 'least:{bench}:'
local function bucket(kind, text) return p .. kind .. ':' .. string.sub(redis.sha1hex(text), 1, 3) end
local claim_bucket = ARGV[8] == 'bucket' and bucket('ib', ARGV[1]) or nil
if claim_bucket then
  if redis.call('HEXISTS', claim_bucket, ARGV[1]) == 1 then return 'replay' end
elseif redis.call('EXISTS', p .. 'i:' .. ARGV[1]) == 1 then
  return 'replay'
end
local orders = bucket('ob', ARGV[2])
if redis.call('HEXISTS', orders, ARGV[2]) == 1 then return 'order' end
local shoppers = bucket('sb', ARGV[3])
local count = tonumber(redis.call('HGET', shoppers, ARGV[3]) or '0')
if count >= 3 then return 'shopper' end
local offer = p .. 'o:' .. ARGV[4]
local o = redis.call('HMGET', offer, 'n', 'b')
local live, spent = tonumber(o[1]) or 0, tonumber(o[2]) or 0
if live >= 1000000000 then return 'quota' end
redis.call('HSET', offer, 'n', live + 1, 'b', spent + tonumber(ARGV[5]))
redis.call('HSET', orders, ARGV[2], ARGV[6])
redis.call('HSET', shoppers, ARGV[3], count + 1)
redis.call('HSET', p .. 'rec', ARGV[6], ARGV[7])
if claim_bucket then
  redis.call('HSET', claim_bucket, ARGV[1], ARGV[6])
else
  redis.call('SET', p .. 'i:' .. ARGV[1], ARGV[6], 'PX', 86400000)
end
if ARGV[9] == 'log' then redis.call('XADD', p .. 'log', '*', 'r', ARGV[7]) end
return 'ok'
