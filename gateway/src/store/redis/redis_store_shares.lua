-- Shares of hot offers ----------------------------------------------------------------------
-- A store spread over several shards (docs/design.md §1.6) splits a hot offer's total
-- redemptions, budget and daily limit into one share per data shard (Offer::hot), so that its
-- redemptions spread over them: each shard keeps the offer's hash o:<id> with its share as the
-- limits (field ht "2") and its own counters, and a redemption counts the offer in one shard,
-- its home's share first. The shard that keeps the offer (its record in `offers`, its log
-- entries, events and codes) writes its hash with offer_put like any offer's; the others with
-- share_put, after each write of the offer, before the write is answered. Shares only grow
-- (ValidateOfferChange), so their sum never passes the limit, and every share counts against
-- its own part. The hub keeps the offer's hash too, with its whole limits (ht "1"): it counts
-- no redemption itself but the whole offer's from the events it copies, and announces the
-- offer's thresholds (count_hot_offers in redis_store_holds.lua).

-- ARGV: op, the offer's version, then the OFFER_ARGS of the offer (its journal line unused),
-- with this shard's share of its limits. Writes the share's hash unless it holds that version
-- or a later one (the write of a later version came first). Payload: "written" or "kept".
local function share_put()
  local version, id = tonumber(ARGV[2]), ARGV[3]
  local current = redis.call('HGET', key('o:' .. id), 'v')
  if current and tonumber(current) >= version then return {'ok', '', '', '', '', 'kept'} end
  write_offer_hash(id, ARGV[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], 10, ARGV[20])
  return {'ok', '', '', '', '', 'written'}
end

-- ARGV: op, offer ids. Payload: per id, the version of its hash here ("" when there is none).
-- Writes nothing.
local function share_versions()
  local reply = {'ok', '', '', '', ''}
  for i = 2, #ARGV do reply[#reply + 1] = redis.call('HGET', key('o:' .. ARGV[i]), 'v') or '' end
  return reply
end
