-- Redemptions ---------------------------------------------------------------------------------

-- Redemption statuses as records spell them (RedemptionStatus's numbers).
local RESERVED, COMMITTED, RELEASED, EXPIRED, REFUNDED = '0', '1', '2', '3', '4'
local STATUS_NAME = {['0'] = 'reserved', ['1'] = 'committed', ['2'] = 'released',
                     ['3'] = 'expired', ['4'] = 'refunded'}

-- Why applied offer `id` (at `version`, "0" = not known, granting `discount`: a discount or a
-- cashback, which its budget counts alike) cannot be counted
-- now, as {code, message}, or nil: the offer as it is in Redis (not as the gateway's view saw
-- it) must still be active, in its window at the redemption's instant `at` (local minute of day
-- `minute`), within its current limits, and at the version the quote saw. `o` is its hash's
-- fields v s lt lb ls ld sa ea wf wt n b d:<day>, `shopper` the shopper's count ("0" when
-- none). The same checks, in the same order, as MemoryStore (engine/src/applied_offer_check.h).
local function offer_refusal(code, id, what) return {code, 'offer ' .. id .. ' ' .. what} end
local function stale_or_full(id, version, discount, at, minute, o, shopper_count)
  if not o[1] then return offer_refusal('quote_changed', id, 'does not exist') end
  if o[2] == 'paused' then return offer_refusal('paused', id, 'is paused') end
  if o[2] == 'archived' then return offer_refusal('ended', id, 'was archived') end
  if at < tonumber(o[7]) then return offer_refusal('not_started', id, 'has not started') end
  if at >= tonumber(o[8]) then return offer_refusal('ended', id, 'has ended') end
  if o[9] then
    local from, to = tonumber(o[9]), tonumber(o[10])
    local inside
    if from <= to then inside = minute >= from and minute < to
    else inside = minute >= from or minute < to end
    if not inside then return offer_refusal('outside_window', id, 'is outside its daily window') end
  end
  local live, spent = tonumber(o[11] or '0'), tonumber(o[12] or '0')
  local shopper, day = tonumber(shopper_count), tonumber(o[13] or '0')
  local lt, lb, ls, ld = tonumber(o[3]), tonumber(o[4]), tonumber(o[5]), tonumber(o[6])
  if lt >= 0 and live + 1 > lt then
    return offer_refusal('quota_exhausted', id, 'has no redemptions left')
  end
  if lb >= 0 and spent + tonumber(discount) > lb then
    return offer_refusal('budget_exhausted', id, 'has not enough budget left for this discount')
  end
  if ls >= 0 and shopper + 1 > ls then
    return offer_refusal('per_shopper_limit', id, 'reached its per-shopper limit for this shopper')
  end
  if ld >= 0 and day + 1 > ld then
    return offer_refusal('daily_limit', id, 'reached its limit for today')
  end
  if version ~= '0' and version ~= o[1] then
    return offer_refusal('quote_changed', id, 'changed (version ' .. o[1] ..
                         ') since the quote saw version ' .. version .. '; quote again')
  end
  return nil
end

-- Counts one more live redemption `id` of offer `offer` at local day field `day_field`, whose
-- hash's fields `o` were read for the checks (see stale_or_full), granting `amount` (discount or
-- cashback), holding unique code `code` ("" = none); announces the thresholds it reaches (`at`:
-- the redemption's time). Used by create and by a spread store's hold.
local function count_use(offer, o, day_field, amount, code, id, at)
  local offer_key = key('o:' .. offer)
  local live = tonumber(o[11] or '0') + 1
  local today = int(tonumber(o[13] or '0') + 1)
  local spent = o[12] or '0'
  if amount == '0' then
    redis.call('HSET', offer_key, 'n', int(live), day_field, today)
    spent = tonumber(spent)
  elseif #spent <= EXACT_DIGITS and #amount <= EXACT_DIGITS then
    spent = tonumber(spent) + tonumber(amount)
    redis.call('HSET', offer_key, 'n', int(live), day_field, today, 'b', int(spent))
  else
    redis.call('HSET', offer_key, 'n', int(live), day_field, today)
    spent = redis.call('HINCRBY', offer_key, 'b', amount)
  end
  if code ~= '' then redis.call('HSET', key('uheld'), code, id) end
  -- A share of a hot offer's limits (ht "2") says nothing of the whole offer's: its thresholds
  -- are not announced here.
  if (o[3] ~= '-1' or o[4] ~= '-1') and o[18] ~= '2' then
    announce_thresholds(offer, offer_key, o[17], at, o[3], o[4], live, spent, o[16])
  end
end

-- Gives back what count_use counted of offer `offer` for redemption `id`. Used by transitions
-- and by a spread store's hold_release.
local function give_back_use(offer, amount, code, day_field, id)
  local counters = key('o:' .. offer)
  redis.call('HINCRBY', counters, 'n', -1)
  if amount ~= '0' then redis.call('HINCRBY', counters, 'b', '-' .. amount) end
  if redis.call('HINCRBY', counters, day_field, -1) == 0 then
    redis.call('HDEL', counters, day_field)
  end
  if code ~= '' and redis.call('HGET', key('uheld'), code) == id then
    redis.call('HDEL', key('uheld'), code)
  end
end

-- A shopper's counts of live redemptions are a field of its bucket (sb:<bucket>) while they
-- fit in LISTPACK_VALUE bytes; counts that outgrow it (a shopper id shared by many checkouts,
-- a guest's, at many shops) move to a hash of their own, s:<shopper>, the field saying "*"
-- (COUNTS_ELSEWHERE), so that a call reads and writes only the counts it needs, however many
-- the shopper has. They move back into the bucket once the hash is empty.
local COUNTS_ELSEWHERE = '*'

-- Counts `names` of `shopper`: their values (numbers, or nil for none), in the order of
-- `names`, and where they are kept, for write_counts.
local function read_counts(shopper, names)
  local bucket_key, field = bucket_place('sb', shopper)
  local place = {bucket = bucket_key, field = field, shopper = shopper}
  local text = redis.call('HGET', bucket_key, field)
  local values = {}
  if text == COUNTS_ELSEWHERE then
    place.own = key('s:' .. shopper)
    local got = redis.call('HMGET', place.own, unpack(names))
    for f = 1, #names do values[f] = got[f] and tonumber(got[f]) or nil end
    return values, place
  end
  place.names, place.n = {}, {}
  if text then
    local fields = split(text, US)
    for f = 1, #fields - 1, 2 do
      place.names[#place.names + 1] = fields[f]
      place.n[fields[f]] = tonumber(fields[f + 1])
    end
  end
  for f = 1, #names do values[f] = place.n[names[f]] end
  return values, place
end

-- Sets counts `names` to `values` (numbers; at 0 or below a count is left out) where
-- read_counts found the shopper's counts.
local function write_counts(place, names, values)
  if place.own then
    local set, gone = {}, {}
    for f = 1, #names do
      if values[f] > 0 then
        set[#set + 1] = names[f]
        set[#set + 1] = int(values[f])
      else
        gone[#gone + 1] = names[f]
      end
    end
    if #set > 0 then redis.call('HSET', place.own, unpack(set)) end
    if #gone > 0 then redis.call('HDEL', place.own, unpack(gone)) end
    if redis.call('EXISTS', place.own) == 0 then redis.call('HDEL', place.bucket, place.field) end
    return
  end
  for f = 1, #names do
    if place.n[names[f]] == nil then place.names[#place.names + 1] = names[f] end
    place.n[names[f]] = values[f]
  end
  local parts = {}
  for _, name in ipairs(place.names) do
    local value = place.n[name]
    if value > 0 then
      parts[#parts + 1] = name
      parts[#parts + 1] = int(value)
    end
  end
  if #parts == 0 then
    redis.call('HDEL', place.bucket, place.field)
    return
  end
  local text = table.concat(parts, US)
  if #text <= LISTPACK_VALUE then
    redis.call('HSET', place.bucket, place.field, text)
  else
    redis.call('HSET', key('s:' .. place.shopper), unpack(parts))
    redis.call('HSET', place.bucket, place.field, COUNTS_ELSEWHERE)
  end
end

-- Marks claim `idem_key` as answered by a refusal at `at` (ms), for `period` ms: a request
-- with the same body planned before that (see create) may no longer succeed. The only write
-- of a refused call.
local function fence(idem_key, fingerprint, at, period)
  redis.call('SET', idem_key, 'x' .. US .. fingerprint .. US .. at, 'PX', period)
end

-- The idempotency record at `idem_key` as {fingerprint, redemption id, created at, response},
-- or a fence as {'x', fingerprint, refused at}, or nil.
local function read_claim(idem_key)
  local text = redis.call('GET', idem_key)
  if not text then return nil end
  local a = string.find(text, US, 1, true)
  local b = string.find(text, US, a + 1, true)
  local c = string.find(text, US, b + 1, true)
  local first, second = string.sub(text, 1, a - 1), string.sub(text, a + 1, b - 1)
  if not c then return {first, second, string.sub(text, b + 1)} end
  return {first, second, string.sub(text, b + 1, c - 1), string.sub(text, c + 1)}
end

-- The answer to a request whose idempotency record `claim` (read_claim's, not a fence) is
-- within its retention: the same key with another body is refused; else the first outcome is
-- replayed: "replayed", the first response, its redemption's id and record now.
local function replay_claim(claim, fingerprint)
  if claim[1] ~= fingerprint then
    return refuse('idempotency_key_reused',
                  'this Idempotency-Key was used with a different request body')
  end
  return {'ok', '', '', '', '', 'replayed', claim[4], claim[2],
          redis.call('HGET', key('rec'), claim[2]) or ''}
end

-- ARGV: op, now, idempotency retention, id, status ("0" reserved | "1" committed), expires_at,
-- the redemption's record, idempotency scope ("" = none), fingerprint, response, created_at,
-- its local minute of day, its order amount (items subtotal + shipping fee), the fence period
-- (ms) of a refusal, shopper, local day, order key, the deadline of its holds in other shards
-- ("" when every applied offer is kept here); then per applied offer: id, the version the
-- quote saw ("0" = not known), amount (discount or cashback), unique code or "", and "" for an
-- offer kept here (BUCKET_WITH_ALTERNATIVES for a hot offer's share), or for one held in
-- another shard (redis_store_holds.lua) what its hold answered and where: first_order US layer US per-shopper limit US shard. A held offer is not
-- counted here (its hold counted it); the shopper's live redemptions of it are, and checked
-- against its per-shopper limit and first-order rule. A refusal after the claim was looked at
-- fences the claim (see fence), so that a request with the same key still in flight cannot
-- contradict it.
-- Payload: "created", or "replayed", the first response, its redemption's id and record now.
local FIRST_OFFER_ARG, OFFER_ARGS = 19, 5
-- An applied offer's last argument when it is kept here, as a share of a hot offer whose other
-- shares the gateway tries next (see Offer::hot): refused for a limit it reached, the request
-- is not answered yet, so the refusal does not fence its claim.
local BUCKET_WITH_ALTERNATIVES = '~'
local EXHAUSTED = {quota_exhausted = true, budget_exhausted = true, daily_limit = true}
local function create()
  local now, retention = tonumber(ARGV[2]), tonumber(ARGV[3])
  local id, status, record = ARGV[4], ARGV[5], ARGV[7]
  local scope, fingerprint = ARGV[8], ARGV[9]
  local created_at, minute = tonumber(ARGV[11]), tonumber(ARGV[12])
  local shopper, day, order_key, holds_deadline = ARGV[15], ARGV[16], ARGV[17], ARGV[18]
  local merchant = string.sub(order_key, 1, string.find(order_key, US, 1, true) - 1)
  local idem_key = key('i:' .. scope)
  if scope ~= '' then
    local claim = read_claim(idem_key)
    if claim and claim[1] == 'x' then
      -- A refusal of this key was answered (op "refusal"). A request with the same body that
      -- was planned before it (give or take the gateways' clock skew) was in flight meanwhile
      -- and may not contradict it; a later one is a new attempt.
      if claim[2] == fingerprint and created_at <= tonumber(claim[3]) + FENCE_SKEW_MILLIS then
        return refuse('request_in_progress', 'another request with this Idempotency-Key was ' ..
                      'answered while this one was in progress: retry with the same key')
      end
    elseif claim and tonumber(claim[3]) + retention > now then
      return replay_claim(claim, fingerprint)
    end
  end
  local function refused(code, message, offer_id)
    if scope ~= '' then fence(idem_key, fingerprint, ARGV[2], ARGV[14]) end
    return refuse(code, message, offer_id)
  end
  -- Holds past their deadline may be released by a sweeper at any moment, and one that claimed
  -- this id (claim) has released them or is about to: either way, too late.
  if holds_deadline ~= '' and (redis_millis() >= tonumber(holds_deadline) or
                               redis.call('EXISTS', key('dead:' .. id)) == 1) then
    return refuse('store_unavailable', 'the holds of redemption ' .. id .. ' ran out of time')
  end
  local orders_key, order_field = order_place(order_key)
  if redis.call('HEXISTS', orders_key, order_field) == 1 then
    return refused('order_already_redeemed', 'the order already has a live redemption')
  end
  local day_field = 'd:' .. day
  -- The shopper's live redemptions on the platform, at this shop and of each applied offer.
  local shopper_fields = {'p', 'm:' .. merchant}
  for i = FIRST_OFFER_ARG, #ARGV, OFFER_ARGS do
    shopper_fields[#shopper_fields + 1] = 'o:' .. ARGV[i]
  end
  local live, counts_place = read_counts(shopper, shopper_fields)
  local used, held = {}, {}
  for i = FIRST_OFFER_ARG, #ARGV, OFFER_ARGS do
    local offer, code = ARGV[i], ARGV[i + 3]
    local shopper_count = live[3 + (i - FIRST_OFFER_ARG) / OFFER_ARGS] or '0'
    local first_order, layer
    if ARGV[i + 4] == '' or ARGV[i + 4] == BUCKET_WITH_ALTERNATIVES then
      local o = redis.call('HMGET', key('o:' .. offer), 'v', 's', 'lt', 'lb', 'ls', 'ld', 'sa',
                           'ea', 'wf', 'wt', 'n', 'b', day_field, 'fo', 'l', 'ta', 'm', 'ht')
      local refusal = stale_or_full(offer, ARGV[i + 1], ARGV[i + 2], created_at, minute, o,
                                    shopper_count)
      if refusal and ARGV[i + 4] == BUCKET_WITH_ALTERNATIVES and EXHAUSTED[refusal[1]] then
        -- Not the answer yet: the gateway asks another shard's share of the offer.
        return refuse(refusal[1], refusal[2], offer)
      end
      if refusal then return refused(refusal[1], refusal[2], offer) end
      used[i], first_order, layer = o, o[14], o[15]
    else
      -- Held in another shard, which checked everything but the shopper's counts.
      local facts = split(ARGV[i + 4], US)
      local per_shopper = tonumber(facts[3])
      if per_shopper >= 0 and tonumber(shopper_count) + 1 > per_shopper then
        return refused('per_shopper_limit', 'offer ' .. offer .. ' reached its per-shopper ' ..
                       'limit for this shopper', offer)
      end
      first_order, layer = facts[1], facts[2]
      held[#held + 1] = facts[4]
      held[#held + 1] = offer
    end
    -- A first order: no live redemption of this shopper at this shop (merchant layer) or on the
    -- whole platform (the other layers). Counted below in this same call, so two racing first
    -- orders cannot both pass.
    if first_order == '1' then
      local orders_before = live[1]
      if layer == MERCHANT_LAYER then orders_before = live[2] end
      if tonumber(orders_before or '0') > 0 then
        return refused('not_first_order', 'offer ' .. offer .. ' is for a first order, and ' ..
                       'the shopper already has one', offer)
      end
    end
    if used[i] and code ~= '' and (redis.call('HGET', key('ucode'), code) ~= offer or
                                   redis.call('HEXISTS', key('uheld'), code) == 1) then
      return refused('code_used', 'code ' .. code .. ' is already used', offer)
    end
  end
  if exceeds(redis.call('GET', key('amount')) or '0', ARGV[13], MAX_LIFETIME_HIGH,
             MAX_LIFETIME_LOW) then
    return refused('amount_ceiling_reached', "counting this redemption would take the store's " ..
                   'lifetime sum of order amounts past 2 * 10^18 dong')
  end
  -- Every check passed: write, the record first, since it is also the last check (a redemption
  -- id is new; a gateway makes ids of 80 random bits). The counters were read above, in this
  -- same call, so they are set to their next values (one HSET an offer, the budget with them
  -- while Lua's numbers add it exactly; past that, HINCRBY: see count_use).
  if redis.call('HSETNX', key('rec'), id, record) == 0 then
    return refused('already_exists', 'redemption ' .. id .. ' already exists')
  end
  redis.call('INCRBY', key('amount'), ARGV[13])
  add_event(true, redemption_event(status), ARGV[11], merchant, id)
  for i = FIRST_OFFER_ARG, #ARGV, OFFER_ARGS do
    if used[i] then
      count_use(ARGV[i], used[i], day_field, ARGV[i + 2], ARGV[i + 3], id, ARGV[11])
    end
  end
  if #held > 0 then
    redis.call('SET', key('hh:' .. id), holds_deadline .. US .. table.concat(held, US))
  end
  -- One live redemption more for the shopper, in every count read above (one HSET).
  local counted = {}
  for f = 1, #shopper_fields do counted[f] = (live[f] or 0) + 1 end
  write_counts(counts_place, shopper_fields, counted)
  redis.call('HSET', orders_key, order_field, id)
  redis.call('RPUSH', key('ledger'), id)
  if status == RESERVED then redis.call('ZADD', key('expiry'), ARGV[6], id) end
  if scope ~= '' then
    redis.call('SET', idem_key, fingerprint .. US .. id .. US .. ARGV[2] .. US .. ARGV[10],
               'PX', ARGV[3])
  end
  local previous, entry = append('c', id, 'r', record)
  return {'ok', '', '', entry, previous, 'created'}
end

-- ARGV: op, now, idempotency retention, scope, fingerprint, order key, fence period (ms).
-- Settles a redemption request refused before the store, in one call: payload "replayed",
-- the first response of the claim, its redemption's id and record now; or "order" and the order's
-- live redemption; or "none", after which the claim holds a fence for the fence period (see
-- create).
local function refusal()
  local now, retention = tonumber(ARGV[2]), tonumber(ARGV[3])
  local idem_key, fingerprint = key('i:' .. ARGV[4]), ARGV[5]
  local claim = read_claim(idem_key)
  if claim and claim[1] ~= 'x' and tonumber(claim[3]) + retention > now then
    return replay_claim(claim, fingerprint)
  end
  local live = redis.call('HGET', order_place(ARGV[6]))
  if live then return {'ok', '', '', '', '', 'order', live} end
  fence(idem_key, fingerprint, ARGV[2], ARGV[7])
  return {'ok', '', '', '', '', 'none'}
end

-- ARGV: op, order key (merchant US order). Writes nothing. Payload: the id of the order's live
-- redemption, or nothing when it has none.
local function live_order()
  local id = redis.call('HGET', order_place(ARGV[2]))
  if not id then return {'ok', '', '', '', ''} end
  return {'ok', '', '', '', '', id}
end

-- ARGV: op, now, idempotency retention, scope, fingerprint. Writes nothing. Payload: "replayed"
-- and the first response (and, when the record kept none, "", its redemption's id and record
-- now); or "none" (no record, a fence, or one past the retention period).
local function replay()
  local now, retention = tonumber(ARGV[2]), tonumber(ARGV[3])
  local claim = read_claim(key('i:' .. ARGV[4]))
  if not claim or claim[1] == 'x' or tonumber(claim[3]) + retention <= now then
    return {'ok', '', '', '', '', 'none'}
  end
  if claim[1] ~= ARGV[5] then
    return refuse('idempotency_key_reused',
                  'this Idempotency-Key was used with a different request body')
  end
  if claim[4] == '' then
    return {'ok', '', '', '', '', 'replayed', '', claim[2],
            redis.call('HGET', key('rec'), claim[2]) or ''}
  end
  return {'ok', '', '', '', '', 'replayed', claim[4]}
end
