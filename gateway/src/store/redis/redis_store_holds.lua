-- Holds ---------------------------------------------------------------------------------------
-- A store spread over several shards (docs/design.md §1.6) keeps a redemption in its shopper's
-- shard, its home, and each offer in one shard. A redemption that applies offers of other shards
-- first holds them there, one `hold` call per shard (the redemption's id names the hold); then
-- its home creates it; then each hold is confirmed, or released when the home refused. Keys:
--   h:<redemption id>  string: a hold: state US home US deadline US local day, then per offer:
--                 id US amount US unique code ("" = none) US restores ("1": a refund gives its
--                 limits back) US first_order ("1" or "") US layer US per-shopper limit ("-1" =
--                 none), the last three as the hold saw the offer. State H: held, waiting for
--                 its home's answer; C: confirmed (the redemption exists at its home); R:
--                 released, just "R", kept until HOLD_TOMBSTONE_MILLIS after the deadline so
--                 that a late `hold` of the same id is refused rather than counted again
--   holds         zset: the ids of holds in state H by deadline, which a sweeper resolves (it
--                 asks the home whether the redemption exists, then confirms or releases)
-- and in a spread store's hub (the shard that keeps what spans the data shards):
--   ev, evseq     the events of every data shard, copied in one order (events_merge)
--   ledger        list: shard US redemption id, per redemption created in a data shard, in the
--                 order their events were copied (the spread store's ledger positions)
--   evsrc         hash: data shard name → the seq of the last of its events copied here
--   merging       string, PX-expiring: the gateway (its merger's token) that copies events
--                 now and then (merge_lease); the others leave it to it
-- and, in the home shard of such redemptions:
--   dead:<id>     string, expiring a minute after the holds' deadline: the id was claimed by a
--                 sweeper, so no create of it succeeds (claim)
--   out           list: releases to send to other shards, queued by the transition that gave a
--                 redemption's limits back: redemption id US shard US "all" | "refund" US the
--                 holds' deadline; a gateway sends each (hold_release), then removes it
--                 (outbox_done)
-- A hold counts its offers (n, b, d:<day>, uheld) after the same checks as create, so no limit
-- is ever passed, and the counters are high only while a hold is unresolved. Per-shopper limits
-- and first-order rules are checked at the home, which counts the shopper's redemptions: `hold`
-- answers each offer's first_order, layer and per-shopper limit for its home to check them.
-- Deadlines are compared with this Redis's clock (TIME), not the caller's: a call sent again
-- after a timeout carries its first `now`.

local HELD, CONFIRMED, RELEASED_HOLD = 'H', 'C', 'R'
local HOLD_OFFER_FIELDS = 7

-- Hold `id`'s fields (see h:<id> above) or nil.
local function read_hold(id)
  local text = redis.call('GET', key('h:' .. id))
  if not text then return nil end
  return split(text, US)
end

-- ARGV: op, redemption id, home, the redemption's instant (ms), its local minute of day, its
-- local day, deadline (ms), then per offer: id, the version the quote saw ("0" = not known),
-- amount (discount or cashback), unique code or "", restores ("1" or "0"). Holds every offer or
-- none. An id already held here holds its offers once: those it holds are not counted again,
-- and offers it does not hold yet (a redemption that tries another shard's share of a hot
-- offer, its other holds kept: SpreadStore) are checked and counted as a new hold's, all or
-- none. Payload: "held" (something was counted), or "replayed" (nothing was: every offer was
-- held already), then per offer asked, in order, its first_order ("1" or ""), layer and
-- per-shopper limit.
local function hold()
  local id, home, at, minute, day = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
  local fields = read_hold(id)
  if fields and fields[1] == RELEASED_HOLD then
    return refuse('store_unavailable', 'redemption ' .. id .. ' was released here')
  end
  -- Where each offer already held is in `fields`.
  local held_at = {}
  if fields then
    for i = 5, #fields, HOLD_OFFER_FIELDS do held_at[fields[i]] = i end
  end
  local day_field = 'd:' .. (fields and fields[4] or day)
  local used = {}
  local counting = false
  for i = 8, #ARGV, 5 do
    if not held_at[ARGV[i]] then
      counting = true
      local offer, code = ARGV[i], ARGV[i + 3]
      local o = redis.call('HMGET', key('o:' .. offer), 'v', 's', 'lt', 'lb', 'ls', 'ld', 'sa',
                           'ea', 'wf', 'wt', 'n', 'b', day_field, 'fo', 'l', 'ta', 'm', 'ht')
      local refusal = stale_or_full(offer, ARGV[i + 1], ARGV[i + 2], at, minute, o, '0')
      if refusal then return refuse(refusal[1], refusal[2], offer) end
      if code ~= '' and (redis.call('HGET', key('ucode'), code) ~= offer or
                         redis.call('HEXISTS', key('uheld'), code) == 1) then
        return refuse('code_used', 'code ' .. code .. ' is already used', offer)
      end
      used[i] = o
    end
  end
  if counting then
    if fields and fields[1] ~= HELD then
      return refuse('store_unavailable', 'redemption ' .. id .. ' was settled here')
    end
    local deadline = fields and fields[3] or ARGV[7]
    if redis_millis() >= tonumber(deadline) then
      return refuse('store_unavailable',
                    'the hold of redemption ' .. id .. ' came after its deadline')
    end
    fields = fields or {HELD, home, ARGV[7], day}
    for i = 8, #ARGV, 5 do
      local o = used[i]
      if o then
        local offer, amount, code = ARGV[i], ARGV[i + 2], ARGV[i + 3]
        count_use(offer, o, day_field, amount, code, id, ARGV[4])
        local n = #fields
        held_at[offer] = n + 1
        fields[n + 1], fields[n + 2], fields[n + 3], fields[n + 4] = offer, amount, code,
                                                                     ARGV[i + 4]
        fields[n + 5], fields[n + 6], fields[n + 7] = o[14] or '', o[15], o[5]
      end
    end
    redis.call('SET', key('h:' .. id), table.concat(fields, US))
    redis.call('ZADD', key('holds'), fields[3], id)
  end
  local reply = {'ok', '', '', '', '', counting and 'held' or 'replayed'}
  for i = 8, #ARGV, 5 do
    local at_field = held_at[ARGV[i]]
    reply[#reply + 1] = fields[at_field + 4]
    reply[#reply + 1] = fields[at_field + 5]
    reply[#reply + 1] = fields[at_field + 6]
  end
  return reply
end

-- ARGV: op, redemption id. The redemption exists at its home: its hold stays counted until
-- hold_release. Payload: "confirmed" (also when it already was).
local function hold_confirm()
  local id = ARGV[2]
  local text = redis.call('GET', key('h:' .. id))
  if not text then return refuse('not_found', 'redemption ' .. id .. ' holds nothing here') end
  local state = string.sub(text, 1, 1)
  if state == RELEASED_HOLD then
    return refuse('invalid_transition', 'redemption ' .. id .. ' was released here')
  end
  if state == HELD then
    redis.call('SET', key('h:' .. id), CONFIRMED .. string.sub(text, 2))
    redis.call('ZREM', key('holds'), id)
  end
  return {'ok', '', '', '', '', 'confirmed'}
end

-- Leaves the tombstone of a released hold whose deadline is `deadline` (ms), now `now`: until
-- HOLD_TOMBSTONE_MILLIS past the deadline, after which `hold` refuses the id by itself.
local function bury_hold(id, deadline, now)
  local until_ms = deadline + HOLD_TOMBSTONE_MILLIS
  if until_ms > now then
    redis.call('SET', key('h:' .. id), RELEASED_HOLD, 'PXAT', int(until_ms))
  else
    redis.call('DEL', key('h:' .. id))
  end
end

-- ARGV: op, redemption id, what ("all": every offer's limits, the redemption did not happen or
-- is no longer live; "refund": those of the offers that restore on a refund), the deadline the
-- hold was sent with (ms). Gives the hold's counts back, once; a hold that never arrived is
-- refused when it does. Payload: "released", "already" (released before) or "absent" (nothing
-- was held; the tombstone is left).
local function hold_release()
  local id, what, now = ARGV[2], ARGV[3], redis_millis()
  local fields = read_hold(id)
  if not fields then
    bury_hold(id, tonumber(ARGV[4]), now)
    return {'ok', '', '', '', '', 'absent'}
  end
  if fields[1] == RELEASED_HOLD then return {'ok', '', '', '', '', 'already'} end
  local day_field = 'd:' .. fields[4]
  for i = 5, #fields, HOLD_OFFER_FIELDS do
    if what == 'all' or fields[i + 3] == '1' then
      give_back_use(fields[i], fields[i + 1], fields[i + 2], day_field, id)
    end
  end
  redis.call('ZREM', key('holds'), id)
  bury_hold(id, tonumber(fields[3]), now)
  return {'ok', '', '', '', '', 'released'}
end

-- ARGV: op, max count. Payload: for each hold still waiting for its home's answer whose
-- deadline has passed (by this Redis's clock), at most max count: its id, home and deadline.
-- Ids in `holds` that are no longer held leave it.
local function holds_due()
  local due = redis.call('ZRANGEBYSCORE', key('holds'), '-inf', int(redis_millis()), 'LIMIT', 0,
                         tonumber(ARGV[2]))
  local reply = {'ok', '', '', '', ''}
  for _, id in ipairs(due) do
    local fields = read_hold(id)
    if fields and fields[1] == HELD then
      local n = #reply
      reply[n + 1], reply[n + 2], reply[n + 3] = id, fields[2], fields[3]
    else
      redis.call('ZREM', key('holds'), id)
    end
  end
  return reply
end

-- ARGV: op, redemption id, the deadline of its holds (ms). At the redemption's home: settles
-- whether it happened, for a sweeper about to resolve its holds. Payload: "exists" (confirm
-- them), or "claimed": it does not exist, and no create of it can succeed from now on (release
-- them).
local function claim()
  local id = ARGV[2]
  if redis.call('HEXISTS', key('rec'), id) == 1 then return {'ok', '', '', '', '', 'exists'} end
  local until_ms = tonumber(ARGV[3]) + HOLD_TOMBSTONE_MILLIS
  if until_ms > redis_millis() then
    redis.call('SET', key('dead:' .. id), '1', 'PXAT', int(until_ms))
  end
  return {'ok', '', '', '', '', 'claimed'}
end

-- ARGV: op, max count. Payload: the first max count entries of `out`, oldest first.
local function outbox_due()
  local reply = {'ok', '', '', '', ''}
  for _, entry in ipairs(redis.call('LRANGE', key('out'), 0, tonumber(ARGV[2]) - 1)) do
    reply[#reply + 1] = entry
  end
  return reply
end

-- ARGV: op, entry. The release `entry` of `out` was sent: it leaves. Payload: "done".
local function outbox_done()
  redis.call('LREM', key('out'), 1, ARGV[2])
  return {'ok', '', '', '', '', 'done'}
end

-- ARGV: op, after (a seq), most. A spread store's data shard: its events after `after`, at
-- most `most`, for the merger. Payload: per event its seq, `e` text, the redemption's record
-- now ("" for other events), `u` (µs) and "1" for a redemption's creation ("" otherwise).
-- Writes nothing.
local function events_since()
  local reply = {'ok', '', '', '', ''}
  local batch = redis.call('XRANGE', key('ev'), int(tonumber(ARGV[2]) + 1) .. '-0', '+', 'COUNT',
                           tonumber(ARGV[3]))
  for _, entry in ipairs(batch) do
    local f = {}
    for k = 1, #entry[2], 2 do f[entry[2][k]] = entry[2][k + 1] end
    local fields = split(f.e, US)
    local type_number, record = tonumber(fields[1]), ''
    if type_number >= 2 and type_number <= 6 then
      record = redis.call('HGET', key('rec'), fields[4]) or ''
    end
    local n = #reply
    reply[n + 1], reply[n + 2], reply[n + 3] = string.sub(entry[1], 1, -3), f.e, record
    reply[n + 4], reply[n + 5] = f.u or '0', f.c or ''
  end
  return reply
end

-- ARGV: op. A spread store's hub: how far each data shard's events were copied here, as
-- shard, seq pairs. Writes nothing.
local function events_merged()
  local reply = {'ok', '', '', '', ''}
  for _, v in ipairs(redis.call('HGETALL', key('evsrc'))) do reply[#reply + 1] = v end
  return reply
end

-- A spread store's hub keeps the hash o:<id> of every hot offer with its whole limits
-- (share_put, redis_store_shares.lua), and counts there, from the redemption events it copies,
-- what the offer's shares count each in part: the live redemptions (n) and the budget spent (b)
-- of the whole offer, from which it announces the offer's thresholds as one shard announces an
-- offer's. `counts`: an event's time, then per applied offer: id, +1 or -1, the amount signed
-- alike (the gateway reads them from the redemption's record: EventMerger); only the offers
-- whose hash the hub keeps are counted. `hot`: the offers read so far in this call, by id
-- ({lt, lb, n, b, ta, m}, numbers but m; false for an offer the hub does not keep); `announce(at, merchant, id, basis, percent, used, limit)`
-- appends a threshold's event. The caller writes `hot` back once (write_hot_counts). The
-- budget spent is counted only under a budget limit: it then stays below 2^53 đồng (limits
-- are at most kMaxAmount), so Lua's doubles add it exactly.
local function count_hot_offers(hot, counts, announce)
  local f = split(counts, US)
  for i = 2, #f, 3 do
    local id = f[i]
    if hot[id] == nil then
      local o = redis.call('HMGET', key('o:' .. id), 'lt', 'lb', 'n', 'b', 'ta', 'm')
      hot[id] = o[1] and {tonumber(o[1]), tonumber(o[2]), tonumber(o[3] or '0'),
                          tonumber(o[4] or '0'), tonumber(o[5] or '0'), o[6]}
    end
    local h = hot[id]
    if h then
      local count, amount = tonumber(f[i + 1]), tonumber(f[i + 2])
      if h[2] < 0 then amount = 0 end
      h[3], h[4] = h[3] + count, h[4] + amount
      if count > 0 then
        h[5] = thresholds_reached(h[1], h[2], h[3], h[4], h[5],
                                  function(basis, percent, used, limit)
          announce(f[1], h[6], id, basis, percent, used, limit)
        end)
      end
    end
  end
end

-- Writes back what count_hot_offers counted in `hot`.
local function write_hot_counts(hot)
  for id, h in pairs(hot) do
    if h then
      redis.call('HSET', key('o:' .. id), 'n', int(h[3]), 'b', int(h[4]), 'ta', int(h[5]))
    end
  end
end

-- ARGV: op, owner, lease (ms). A spread store's hub: the periodic copy of events is one
-- gateway's at a time (the others would read and send the same events for nothing): taken
-- or renewed by `owner` unless another holds it. Payload: "busy", or "leased" then what
-- events_merged answers.
local function merge_lease()
  local holder = redis.call('GET', key('merging'))
  if holder and holder ~= ARGV[2] then return {'ok', '', '', '', '', 'busy'} end
  redis.call('SET', key('merging'), ARGV[2], 'PX', ARGV[3])
  local reply = {'ok', '', '', '', '', 'leased'}
  for _, v in ipairs(redis.call('HGETALL', key('evsrc'))) do reply[#reply + 1] = v end
  return reply
end

-- ARGV: op, count of shards, then per shard: its name, how far its events were copied here (as
-- events_merged answered), how far after this call; then per event to copy, in the order to
-- copy them: its shard, text, record ("" for no redemption), the redemption's id for its
-- creation ("" otherwise), what it counts of its offers ("" for nothing; see
-- count_hot_offers).
-- A spread store's hub: appends the events to `ev` with seqs of its own (the record kept with
-- the event), each creation's shard US redemption id to `ledger`, counts hot offers and
-- announces their thresholds (count_hot_offers), and notes how far each shard was copied.
-- Payload: "merged", or "moved" (nothing written) when another gateway merged first.
local function events_merge()
  local shards = tonumber(ARGV[2])
  for i = 3, 2 + 3 * shards, 3 do
    if (redis.call('HGET', key('evsrc'), ARGV[i]) or '0') ~= ARGV[i + 1] then
      return {'ok', '', '', '', '', 'moved'}
    end
  end
  -- Ledger entries pushed and hot offers' counts written once (a merge copies hundreds).
  local ledger, hot = {}, {}
  local function announce(at, merchant, id, basis, percent, used, limit)
    local seq = redis.call('INCR', key('evseq'))
    redis.call('XADD', key('ev'), int(seq) .. '-0', 'e',
               table.concat({BUDGET_THRESHOLD, at, merchant, id, int(basis), int(percent),
                             int(used), int(limit)}, US))
  end
  for i = 3 + 3 * shards, #ARGV, 5 do
    local seq = redis.call('INCR', key('evseq'))
    if ARGV[i + 2] == '' then
      redis.call('XADD', key('ev'), int(seq) .. '-0', 'e', ARGV[i + 1])
    else
      redis.call('XADD', key('ev'), int(seq) .. '-0', 'e', ARGV[i + 1], 'r', ARGV[i + 2])
    end
    if ARGV[i + 3] ~= '' then ledger[#ledger + 1] = ARGV[i] .. US .. ARGV[i + 3] end
    if ARGV[i + 4] ~= '' then count_hot_offers(hot, ARGV[i + 4], announce) end
  end
  for first = 1, #ledger, 1000 do
    redis.call('RPUSH', key('ledger'), unpack(ledger, first, math.min(first + 999, #ledger)))
  end
  write_hot_counts(hot)
  for i = 3, 2 + 3 * shards, 3 do redis.call('HSET', key('evsrc'), ARGV[i], ARGV[i + 2]) end
  return {'ok', '', '', '', '', 'merged'}
end
