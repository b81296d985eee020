-- uudai's Redis store: every write is ONE call of this script, so it is atomic and costs one
-- round trip:  EVALSHA <sha> 1 <prefix>log <op> <args...>
--
-- KEYS[1] is the change log (a stream). Every other key is named from the same prefix, which
-- holds a hash tag (e.g. "uudai:{main}:"), so that all of a store's keys share one Redis
-- Cluster slot. Keys (see RedisStore in redis_store.h for the full contract):
--   log           stream: every change, in the order it happened (offers, codes, redemptions,
--                 transitions, each carrying its redemption); gateways replay it into their
--                 in-memory view, which keeps counters and stats, not redemptions
--   ledger        list: redemption ids in creation order (ledger position = list index)
--   offer:<id>    hash v (version) m (merchant) l (layer) cm (code mode) s (status) pc (code),
--                 and what a redemption is re-checked against: lt lb ls ld (limits, -1 = none),
--                 sa ea (window, epoch ms), wf wt (daily window, local minutes; absent = none)
--   pcode         hash: platform-wide public code → offer id (platform, payment and shipping
--                 offers that are not archived)
--   pcode:<merchant>  hash: that shop's public code → offer id (its merchant-layer offers that
--                 are not archived); a code is unique only within its scope (see offer_put)
--   ucode         hash: unique code → offer id (every issued code)
--   uheld         hash: unique code → id of the live redemption holding it
--   ou:<offer>    hash n (live redemptions) b (budget spent) s:<shopper> d:<local day>
--   r:<id>        hash s (status) x (expires_at) p (plan, JSON) b (the redemption as created)
--                 ca ra xa fa (committed/released/expired/refunded at)
--   orders        hash: merchant \x1f order → id of its live redemption
--   expiry        zset: reserved redemption ids by expires_at
--   idem:<scope>  hash f (fingerprint) r (response) id (redemption) t (created at);
--                 PEXPIRE'd after the retention period. Or a refusal's fence (op "refusal"):
--                 f (fingerprint) t (refused at) x ("1"), PEXPIRE'd after the fence period
--   amount        string: the sum of the order amounts (items subtotal + shipping fee) of every
--                 redemption ever created, bounded by MAX_LIFETIME_AMOUNT
--   format        string: the layout of these keys (FORMAT below), set with the log's first
--                 entry. A gateway refuses to start on a log without it or with another one:
--                 such a store was written by another build of uudai (see the op "format")
--   ready-probe   string, 60 s TTL: not written by this script; a gateway whose last write Redis
--                 refused (OOM, READONLY, ...) SETs it once a second to learn when writes work
--
-- Every reply is {code, message, offer_id, entry_id, previous_entry_id, payload...}: code is
-- "ok" or a uudai error code (quota_exhausted, ...); entry_id is the log entry this call added
-- (its last one when several; "" when none) and previous_entry_id the entry just before its
-- first one, so that a gateway whose view already holds that entry can apply the change
-- itself, in order, without reading the log. Times are epoch milliseconds; money is whole
-- đồng, passed as decimal strings (Lua numbers are doubles: exact below 2^53 > 10^15).
-- Every check comes before the first write.

local log = KEYS[1]
local prefix = string.sub(log, 1, #log - 3)
local op = ARGV[1]

local function key(name) return prefix .. name end

-- The layout of the keys this script reads and writes. Raise it with any change that a view
-- or a script of the previous layout would misread (2: every transition carries its
-- redemption, and the ledger list exists; 3: offers carry what a redemption is re-checked
-- against, plans carry the offer versions, the lifetime amount is counted, and public codes
-- are kept per code scope, pcode for the platform and pcode:<merchant> for each shop).
local FORMAT = '3'

-- The most the order amounts of every redemption may add up to (kMaxLifetimeAmount in
-- engine/include/uudai/money.h): it keeps every counter and stats sum within int64, so no
-- HINCRBY can fail half-way through a script. Written as 10^9-digit halves: Lua numbers are
-- doubles, exact only below 2^53, so sums near 10^18 are added half by half (see exceeds).
local MAX_LIFETIME_HIGH, MAX_LIFETIME_LOW = 2000000000, 0

-- Whether the sum of two non-negative decimal integers below 10^19 (strings) passes the
-- bound high * 10^9 + low. Exact: every half is below 10^10.
local function exceeds(a, b, high, low)
  local function halves(x)
    local n = #x
    if n <= 9 then return 0, tonumber(x) end
    return tonumber(string.sub(x, 1, n - 9)), tonumber(string.sub(x, n - 8))
  end
  local ah, al = halves(a)
  local bh, bl = halves(b)
  local sum_low = al + bl
  local sum_high = ah + bh + math.floor(sum_low / 1000000000)
  sum_low = sum_low % 1000000000
  return sum_high > high or (sum_high == high and sum_low > low)
end

-- How far apart two gateways' clocks may be when a refusal's fence is compared with the
-- instant another gateway planned a redemption (see create).
local FENCE_SKEW_MILLIS = 1000

local function refuse(code, message, offer_id, ...)
  return {code, message, offer_id or '', '', '', ...}
end

-- Appends one entry to the log; returns the id of the entry before it and its own id.
local function append(fields)
  local last = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)
  local previous = '0-0'
  if #last > 0 then previous = last[1][1] else redis.call('SET', key('format'), FORMAT) end
  return previous, redis.call('XADD', log, '*', unpack(fields))
end

-- Offers --------------------------------------------------------------------------------------

-- Layer::kMerchant as the gateway passes layers (a number, as stored in offer:<id>'s `l`).
local MERCHANT_LAYER = '0'

-- The code scope of an offer: its shop (merchant id) on the merchant layer, else the platform
-- (''). Public codes are unique within a scope; a cart looks up its shop's and the platform's.
local function code_scope(merchant, layer)
  if layer == MERCHANT_LAYER then return merchant end
  return ''
end

local function pcode_key(scope)
  if scope == '' then return key('pcode') end
  return key('pcode:' .. scope)
end

-- ARGV: op, mode ("create" | "update"), id, base version, merchant, layer, code mode, status,
-- public code ("" when none), journal line of the stored offer, then what redemptions are
-- re-checked against: limits total, budget, per shopper, per day ("-1" = none), starts_at,
-- ends_at (epoch ms), daily window from, to (local minutes; "" = none); then the public code
-- spelled as a unique code ("" when it is not one). A conflict names only an offer of the same
-- code scope.
local function offer_put()
  local mode, id, base = ARGV[2], ARGV[3], tonumber(ARGV[4])
  local merchant, layer, code_mode, status, code = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  local offer_key = key('offer:' .. id)
  local current = redis.call('HMGET', offer_key, 'v', 'm', 'l', 'cm', 's', 'pc')
  local version = 1
  if mode == 'create' then
    if current[1] then return refuse('already_exists', 'offer ' .. id .. ' already exists') end
  else
    if not current[1] then return refuse('not_found', 'offer ' .. id .. ' does not exist') end
    if tonumber(current[1]) ~= base then
      return refuse('version_mismatch', 'offer ' .. id .. ' is at version ' .. current[1] ..
                    ', not ' .. ARGV[4], id)
    end
    if current[5] == 'archived' then
      return refuse('invalid_transition',
                    'offer ' .. id .. ' is archived; archived offers are final', id)
    end
    local changed = {}
    if merchant ~= current[2] then changed[#changed + 1] = 'merchant_id' end
    if code_mode ~= current[4] then changed[#changed + 1] = 'code_mode' end
    if layer ~= current[3] then changed[#changed + 1] = 'layer' end
    if #changed > 0 then
      return refuse('validation_failed', 'cannot change after creation', '', unpack(changed))
    end
    version = base + 1
  end
  local live_code = code ~= '' and status ~= 'archived'
  local scope = code_scope(merchant, layer)
  local codes = pcode_key(scope)
  if live_code then
    local owner = redis.call('HGET', codes, code)
    if owner and owner ~= id then
      return refuse('code_conflict', 'code ' .. code .. ' already belongs to offer ' .. owner, owner)
    end
    -- A shopper typing the public code would also name this unique code.
    owner = ARGV[19] ~= '' and redis.call('HGET', key('ucode'), ARGV[19])
    if owner then
      local o = redis.call('HMGET', key('offer:' .. owner), 'm', 'l', 's')
      if o[3] and o[3] ~= 'archived' and code_scope(o[1], o[2]) == scope then
        return refuse('code_conflict', 'code ' .. code .. ' is a unique code of offer ' .. owner,
                      owner)
      end
    end
  end
  if current[6] and current[6] ~= '' and redis.call('HGET', codes, current[6]) == id then
    redis.call('HDEL', codes, current[6])
  end
  if live_code then redis.call('HSET', codes, code, id) end
  redis.call('HSET', offer_key, 'v', version, 'm', merchant, 'l', layer, 'cm', code_mode,
             's', status, 'pc', code, 'lt', ARGV[11], 'lb', ARGV[12], 'ls', ARGV[13],
             'ld', ARGV[14], 'sa', ARGV[15], 'ea', ARGV[16])
  if ARGV[17] ~= '' then
    redis.call('HSET', offer_key, 'wf', ARGV[17], 'wt', ARGV[18])
  else
    redis.call('HDEL', offer_key, 'wf', 'wt')
  end
  local previous, entry = append({'m', ARGV[10]})
  return {'ok', '', '', entry, previous}
end

-- ARGV: op, offer id, unique code mode name, codes... Payload: the codes that already existed.
local function issue_codes()
  local id = ARGV[2]
  local current = redis.call('HMGET', key('offer:' .. id), 'cm', 's')
  if not current[1] then return refuse('not_found', 'offer ' .. id .. ' does not exist') end
  if current[1] ~= ARGV[3] or current[2] == 'archived' then
    return refuse('invalid_transition',
                  'codes can be issued only for unique-code offers that are not archived', id)
  end
  local issued, duplicates = {}, {}
  for i = 4, #ARGV do
    if redis.call('HSETNX', key('ucode'), ARGV[i], id) == 1 then
      issued[#issued + 1] = ARGV[i]
    else
      duplicates[#duplicates + 1] = ARGV[i]
    end
  end
  local previous, entry = '', ''
  if #issued > 0 then previous, entry = append({'i', id, 'c', table.concat(issued, ',')}) end
  return {'ok', '', '', entry, previous, unpack(duplicates)}
end

-- Redemptions ---------------------------------------------------------------------------------

local function redemption_fields(id)
  return redis.call('HMGET', key('r:' .. id), 'b', 's', 'ca', 'ra', 'xa', 'fa')
end

-- The limit counters of one applied offer `a` (from the plan) move by `delta` (+1 or -1).
local function hold(a, shopper, day, delta)
  local counters = key('ou:' .. a.i)
  redis.call('HINCRBY', counters, 'n', delta)
  if a.d ~= '0' then
    if delta > 0 then
      redis.call('HINCRBY', counters, 'b', a.d)
    else
      redis.call('HINCRBY', counters, 'b', '-' .. a.d)
    end
  end
  for _, field in ipairs({'s:' .. shopper, 'd:' .. day}) do
    if redis.call('HINCRBY', counters, field, delta) == 0 then redis.call('HDEL', counters, field) end
  end
end

-- Why offer `a` (an entry of a plan) cannot be counted now, as {code, message}, or nil: the
-- offer as it is in Redis (not as the gateway's view saw it) must still be active, in its
-- window at the redemption's instant `at` (local minute of day `minute`), within its current
-- limits, and at the version the quote saw. `used` are its counters (n, b, s:<shopper>,
-- d:<day>). The same checks, in the same order, as MemoryStore (engine/src/applied_offer_check.h).
local function stale_or_full(a, at, minute, used)
  local o = redis.call('HMGET', key('offer:' .. a.i), 'v', 's', 'lt', 'lb', 'ls', 'ld', 'sa', 'ea',
                       'wf', 'wt')
  local name = 'offer ' .. a.i
  if not o[1] then return {'quote_changed', name .. ' does not exist'} end
  if o[2] == 'paused' then return {'paused', name .. ' is paused'} end
  if o[2] == 'archived' then return {'ended', name .. ' was archived'} end
  if at < tonumber(o[7]) then return {'not_started', name .. ' has not started'} end
  if at >= tonumber(o[8]) then return {'ended', name .. ' has ended'} end
  if o[9] then
    local from, to = tonumber(o[9]), tonumber(o[10])
    local inside
    if from <= to then inside = minute >= from and minute < to
    else inside = minute >= from or minute < to end
    if not inside then return {'outside_window', name .. ' is outside its daily window'} end
  end
  local live, spent = tonumber(used[1] or '0'), tonumber(used[2] or '0')
  local shopper, day = tonumber(used[3] or '0'), tonumber(used[4] or '0')
  local lt, lb, ls, ld = tonumber(o[3]), tonumber(o[4]), tonumber(o[5]), tonumber(o[6])
  if lt >= 0 and live + 1 > lt then return {'quota_exhausted', name .. ' has no redemptions left'} end
  if lb >= 0 and spent + tonumber(a.d) > lb then
    return {'budget_exhausted', name .. ' has not enough budget left for this discount'}
  end
  if ls >= 0 and shopper + 1 > ls then
    return {'per_shopper_limit', name .. ' reached its per-shopper limit for this shopper'}
  end
  if ld >= 0 and day + 1 > ld then return {'daily_limit', name .. ' reached its limit for today'} end
  if a.v ~= '0' and a.v ~= o[1] then
    return {'quote_changed', name .. ' changed (version ' .. o[1] ..
            ') since the quote saw version ' .. a.v .. '; quote again'}
  end
  return nil
end

-- Marks claim `idem_key` as answered by a refusal at `at` (ms), for `period` ms: a request
-- with the same body planned before that (see create) may no longer succeed. The only write
-- of a refused call.
local function fence(idem_key, fingerprint, at, period)
  redis.call('DEL', idem_key)
  redis.call('HSET', idem_key, 'f', fingerprint, 't', at, 'x', '1')
  redis.call('PEXPIRE', idem_key, tonumber(period))
end

-- ARGV: op, now, idempotency retention, id, order key, status ("reserved" | "committed"),
-- expires_at, plan, the redemption's journal line, idempotency scope ("" = none), fingerprint,
-- response, created_at, its local minute of day, its order amount (items subtotal + shipping
-- fee), the fence period (ms) of a refusal. A refusal after the claim was looked at fences the
-- claim (see fence), so that a request with the same key still in flight cannot contradict it. The plan is JSON {s: shopper, d: local day, o: [{i: offer id, v: the offer's version
-- the quote saw ("0" = not known), d: discount, c: unique code or "", r: "1" if it restores on
-- refund}], k: order key}.
-- Payload: "created", or "replayed", response, redemption fields (see redemption_fields).
local function create()
  local now, retention = tonumber(ARGV[2]), tonumber(ARGV[3])
  local id, order_key, status, expires_at = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
  local scope, fingerprint = ARGV[10], ARGV[11]
  local created_at, minute = tonumber(ARGV[13]), tonumber(ARGV[14])
  local idem_key = key('idem:' .. scope)
  if scope ~= '' then
    local record = redis.call('HMGET', idem_key, 'f', 'r', 'id', 't', 'x')
    if record[5] then
      -- A refusal of this key was answered (op "refusal"). A request with the same body that
      -- was planned before it (give or take the gateways' clock skew) was in flight meanwhile
      -- and may not contradict it; a later one is a new attempt.
      if record[1] == fingerprint and created_at <= tonumber(record[4]) + FENCE_SKEW_MILLIS then
        return refuse('request_in_progress', 'another request with this Idempotency-Key was ' ..
                      'answered while this one was in progress: retry with the same key')
      end
    elseif record[1] and tonumber(record[4]) + retention > now then
      if record[1] ~= fingerprint then
        return refuse('idempotency_key_reused',
                      'this Idempotency-Key was used with a different request body')
      end
      return {'ok', '', '', '', '', 'replayed', record[2], unpack(redemption_fields(record[3]))}
    end
  end
  local function refused(code, message, offer_id)
    if scope ~= '' then fence(idem_key, fingerprint, ARGV[2], ARGV[16]) end
    return refuse(code, message, offer_id)
  end
  if redis.call('EXISTS', key('r:' .. id)) == 1 then
    return refused('already_exists', 'redemption ' .. id .. ' already exists')
  end
  if redis.call('HEXISTS', key('orders'), order_key) == 1 then
    return refused('order_already_redeemed', 'the order already has a live redemption')
  end
  local plan = cjson.decode(ARGV[8])
  for _, a in ipairs(plan.o) do
    local used = redis.call('HMGET', key('ou:' .. a.i), 'n', 'b', 's:' .. plan.s, 'd:' .. plan.d)
    local refusal = stale_or_full(a, created_at, minute, used)
    if refusal then return refused(refusal[1], refusal[2], a.i) end
    if a.c ~= '' and (redis.call('HGET', key('ucode'), a.c) ~= a.i or
                      redis.call('HEXISTS', key('uheld'), a.c) == 1) then
      return refused('code_used', 'code ' .. a.c .. ' is already used', a.i)
    end
  end
  if exceeds(redis.call('GET', key('amount')) or '0', ARGV[15], MAX_LIFETIME_HIGH,
             MAX_LIFETIME_LOW) then
    return refused('amount_ceiling_reached', "counting this redemption would take the store's " ..
                  'lifetime sum of order amounts past 2 * 10^18 dong')
  end
  -- Every check passed: write.
  redis.call('INCRBY', key('amount'), ARGV[15])
  for _, a in ipairs(plan.o) do
    hold(a, plan.s, plan.d, 1)
    if a.c ~= '' then redis.call('HSET', key('uheld'), a.c, id) end
  end
  redis.call('HSET', key('orders'), order_key, id)
  redis.call('HSET', key('r:' .. id), 's', status, 'x', expires_at, 'p', ARGV[8], 'b', ARGV[9])
  redis.call('RPUSH', key('ledger'), id)
  if status == 'reserved' then redis.call('ZADD', key('expiry'), expires_at, id) end
  if scope ~= '' then
    redis.call('DEL', idem_key)
    redis.call('HSET', idem_key, 'f', fingerprint, 'r', ARGV[12], 'id', id, 't', ARGV[2])
    redis.call('PEXPIRE', idem_key, retention)
  end
  local previous, entry = append({'m', ARGV[9]})
  return {'ok', '', '', entry, previous, 'created'}
end

-- ARGV: op, now, idempotency retention, scope, fingerprint, order key, fence period (ms).
-- Settles a redemption request refused before the store: payload "replayed" and the first
-- response of the claim; or "order" and the order's live redemption; or "none", after which
-- the claim holds a fence for the fence period (see create).
local function refusal()
  local now, retention = tonumber(ARGV[2]), tonumber(ARGV[3])
  local idem_key, fingerprint = key('idem:' .. ARGV[4]), ARGV[5]
  local record = redis.call('HMGET', idem_key, 'f', 'r', 't', 'x')
  if record[1] and not record[4] and tonumber(record[3]) + retention > now then
    if record[1] ~= fingerprint then
      return refuse('idempotency_key_reused',
                    'this Idempotency-Key was used with a different request body')
    end
    return {'ok', '', '', '', '', 'replayed', record[2]}
  end
  local live = redis.call('HGET', key('orders'), ARGV[6])
  if live then return {'ok', '', '', '', '', 'order', live} end
  fence(idem_key, fingerprint, ARGV[2], ARGV[7])
  return {'ok', '', '', '', '', 'none'}
end

local next_status = {
  reserved = {commit = 'committed', cancel = 'released', expire = 'expired'},
  committed = {refund = 'refunded'},
}
local time_field = {committed = 'ca', released = 'ra', expired = 'xa', refunded = 'fa'}

-- Moves redemption `id` by `action` at `at` (a decimal string). Payload: the action applied
-- (a late commit expires instead) and the redemption fields after it. The log entry carries
-- the redemption as created (b), so that a view that keeps no redemptions can count it.
local function transition(id, action, at)
  local redemption_key = key('r:' .. id)
  local current = redis.call('HMGET', redemption_key, 's', 'x', 'p', 'b')
  if not current[1] then return refuse('not_found', 'redemption ' .. id .. ' does not exist') end
  local from, outcome, message = current[1], 'ok', ''
  if action == 'commit' and from == 'reserved' and tonumber(at) >= tonumber(current[2]) then
    action, outcome = 'expire', 'reservation_expired'
    message = 'redemption ' .. id .. ' expired at its reservation deadline'
  end
  if action == 'commit' and from == 'expired' then
    return refuse('reservation_expired',
                  'redemption ' .. id .. ' expired at its reservation deadline')
  end
  local to = next_status[from] and next_status[from][action]
  if not to then
    return refuse('invalid_transition', 'cannot ' .. action .. ' a redemption that is ' .. from)
  end
  local plan = cjson.decode(current[3])
  for _, a in ipairs(plan.o) do
    if to == 'released' or to == 'expired' or (to == 'refunded' and a.r == '1') then
      hold(a, plan.s, plan.d, -1)
      if a.c ~= '' and redis.call('HGET', key('uheld'), a.c) == id then
        redis.call('HDEL', key('uheld'), a.c)
      end
    end
  end
  if from == 'reserved' then redis.call('ZREM', key('expiry'), id) end
  if to ~= 'committed' and redis.call('HGET', key('orders'), plan.k) == id then
    redis.call('HDEL', key('orders'), plan.k)
  end
  redis.call('HSET', redemption_key, 's', to, time_field[to], at)
  local previous, entry = append({'t', id, 'a', action, 'at', at, 'b', current[4]})
  return {outcome, message, '', entry, previous, action, unpack(redemption_fields(id))}
end

-- ARGV: op, now, max count. Payload: how many reservations expired, and how many ids left the
-- expiry index (those, and ids that are no reserved redemption, which would otherwise stay due
-- forever). Reads at most max count ids and expires each with its own transition (its checks
-- before its writes): RedisStore keeps max count small (RedisStoreOptions::expiries_per_call),
-- since a call holds Redis throughout, and calls again while a call emptied max count places.
local function expire_due()
  local due = redis.call('ZRANGEBYSCORE', key('expiry'), '-inf', ARGV[2], 'LIMIT', 0,
                         tonumber(ARGV[3]))
  local first_previous, last_entry, expired, dropped = '', '', 0, 0
  for _, id in ipairs(due) do
    local reply = transition(id, 'expire', ARGV[2])
    if reply[1] == 'ok' then
      if expired == 0 then first_previous = reply[5] end
      last_entry, expired = reply[4], expired + 1
    elseif redis.call('HGET', key('r:' .. id), 's') ~= 'reserved' then
      redis.call('ZREM', key('expiry'), id)
      dropped = dropped + 1
    end
  end
  return {'ok', '', '', last_entry, first_previous, tostring(expired), tostring(expired + dropped)}
end

-- ARGV: op, start, stop (0 = the ledger's end now), count. Reads ledger positions
-- [start, min(stop, start + count)). Payload: the stop used, then for each position its id and
-- its redemption fields (see redemption_fields). Writes nothing.
local function ledger_page()
  local start, stop, count = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  local size = redis.call('LLEN', key('ledger'))
  if stop == 0 or stop > size then stop = size end
  local reply = {'ok', '', '', '', '', tostring(stop)}
  local last = math.min(stop, start + count) - 1
  if last < start then return reply end
  for _, id in ipairs(redis.call('LRANGE', key('ledger'), start, last)) do
    reply[#reply + 1] = id
    for _, field in ipairs(redemption_fields(id)) do reply[#reply + 1] = field end
  end
  return reply
end

-- ARGV: op. Payload: this script's FORMAT, the store's format ("" when it has none) and the
-- number of entries in the log. Writes nothing.
local function format()
  local stored = redis.call('GET', key('format')) or ''
  return {'ok', '', '', '', '', FORMAT, stored, tostring(redis.call('XLEN', log))}
end

if op == 'offer_put' then return offer_put() end
if op == 'issue_codes' then return issue_codes() end
if op == 'create' then return create() end
if op == 'refusal' then return refusal() end
if op == 'transition' then return transition(ARGV[2], ARGV[3], ARGV[4]) end
if op == 'expire_due' then return expire_due() end
if op == 'ledger_page' then return ledger_page() end
if op == 'format' then return format() end
return redis.error_reply('ERR uudai: unknown operation ' .. tostring(op))
