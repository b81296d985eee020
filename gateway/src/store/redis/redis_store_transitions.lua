-- Transitions ---------------------------------------------------------------------------------
-- A redemption moves on by one call each (commit, cancel, refund, and expire, one by one or a
-- few due ones a call), each giving back what it counted when it leaves the live states.

local NEXT_STATUS = {
  [RESERVED] = {commit = COMMITTED, cancel = RELEASED, expire = EXPIRED},
  [COMMITTED] = {refund = REFUNDED},
}
-- The head field a status's time is kept in (the head: status, ca, ra, xa, fa).
local TIME_FIELD = {[COMMITTED] = 2, [RELEASED] = 3, [EXPIRED] = 4, [REFUNDED] = 5}

-- Moves redemption `id` by `action` at `at` (a decimal string). Payload: the action applied
-- (a late commit expires instead) and the redemption's record after it. The log entry carries
-- that record, so that a view that keeps no redemptions can count the transition.
local function transition(id, action, at)
  local record = redis.call('HGET', key('rec'), id)
  if not record then return refuse('not_found', 'redemption ' .. id .. ' does not exist') end
  local head_end = string.find(record, RS, 1, true)
  local plan_end = string.find(record, RS, head_end + 1, true)
  local head = split(string.sub(record, 1, head_end - 1), US)
  local plan = split(string.sub(record, head_end + 1, plan_end - 1), US)
  local from, outcome, message = head[1], 'ok', ''
  if action == 'commit' and from == RESERVED and tonumber(at) >= tonumber(plan[1]) then
    action, outcome = 'expire', 'reservation_expired'
    message = 'redemption ' .. id .. ' expired at its reservation deadline'
  end
  if action == 'commit' and from == EXPIRED then
    return refuse('reservation_expired',
                  'redemption ' .. id .. ' expired at its reservation deadline')
  end
  local to = NEXT_STATUS[from] and NEXT_STATUS[from][action]
  if not to then
    return refuse('invalid_transition',
                  'cannot ' .. action .. ' a redemption that is ' .. STATUS_NAME[from])
  end
  if to ~= COMMITTED then
    -- plan: expires_at, shopper, day, merchant, order, then (offer, discount, code, restores).
    -- Live no more: one live redemption fewer for the shopper on the platform and at the
    -- shop, and of each offer whose limits it gives back.
    -- Offers held in other shards (hh:<id>, see create) give their counts back there: by a
    -- release per shard queued in `out`, in this call, and sent by a gateway (outbox_due).
    local held_in, held_deadline = {}, ''
    local held_text = redis.call('GET', key('hh:' .. id))
    if held_text then
      local h = split(held_text, US)
      held_deadline = h[1]
      for k = 2, #h, 2 do held_in[h[k + 1]] = h[k] end
      redis.call('DEL', key('hh:' .. id))
    end
    local release_shards, releasing = {}, {}
    local day_field = 'd:' .. plan[3]
    local shopper_fields = {'p', 'm:' .. plan[4]}
    for i = 6, #plan, 4 do
      if to ~= REFUNDED or plan[i + 3] == '1' then
        shopper_fields[#shopper_fields + 1] = 'o:' .. plan[i]
        local shard = held_in[plan[i]]
        if shard then
          if not releasing[shard] then
            releasing[shard] = true
            release_shards[#release_shards + 1] = shard
          end
        else
          give_back_use(plan[i], plan[i + 1], plan[i + 2], day_field, id)
        end
      end
    end
    local what = 'all'
    if to == REFUNDED then what = 'refund' end
    for _, shard in ipairs(release_shards) do
      redis.call('RPUSH', key('out'), table.concat({id, shard, what, held_deadline}, US))
    end
    local order_key = plan[4] .. US .. plan[5]
    local orders_key, order_field = order_place(order_key)
    if redis.call('HGET', orders_key, order_field) == id then
      redis.call('HDEL', orders_key, order_field)
    end
    local live, counts_place = read_counts(plan[2], shopper_fields)
    local left = {}
    for f = 1, #shopper_fields do left[f] = (live[f] or 0) - 1 end
    write_counts(counts_place, shopper_fields, left)
  end
  if from == RESERVED then redis.call('ZREM', key('expiry'), id) end
  head[1] = to
  head[TIME_FIELD[to]] = at
  record = table.concat(head, US) .. string.sub(record, head_end)
  redis.call('HSET', key('rec'), id, record)
  emit(redemption_event(to), at, plan[4], id)
  local previous, entry = append('t', id, 'a', action, 'at', at, 'r', record)
  return {outcome, message, '', entry, previous, action, record}
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
    else
      redis.call('ZREM', key('expiry'), id)
      dropped = dropped + 1
    end
  end
  return {'ok', '', '', last_entry, first_previous, tostring(expired), tostring(expired + dropped)}
end
