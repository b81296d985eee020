-- A store's bucket count (see bucket_place): fixed when the store is created, moved to another
-- count only with every gateway of the store stopped ------------------------------------------

-- The refusal of a bucket count that is none of BUCKET_DIGITS's.
local function not_a_bucket_count(text)
  return refuse('internal_error', 'a store has 4096, 65536 or 1048576 buckets, not ' .. text)
end

-- The name of bucket number `index` (from 0) among buckets named by `digits` hex digits.
local function bucket_name(index, digits)
  return string.format('%0' .. digits .. 'x', index)
end

-- How full a store's buckets (named by `digits` hex digits) are: the fields of a bucket of the
-- fuller kind (orders or shoppers), on average over SAMPLED_BUCKETS buckets spread over the
-- count, rounded down (a count is sized for about 128). Reads SAMPLED_BUCKETS HLENs a kind.
local SAMPLED_BUCKETS = 16
local function bucket_fill_sample(digits)
  local step, fullest = math.floor(16 ^ digits / SAMPLED_BUCKETS), 0
  for _, kind in ipairs({'ob', 'sb'}) do
    local fields = 0
    for i = 0, SAMPLED_BUCKETS - 1 do
      fields = fields + redis.call('HLEN', key(kind .. ':' .. bucket_name(i * step, digits)))
    end
    fullest = math.max(fullest, fields)
  end
  return int(math.floor(fullest / SAMPLED_BUCKETS))
end

-- ARGV: op, the bucket count wanted for a new store ("" = the default, 65,536), the starting
-- gateway's reader id, now (epoch ms). Fixes the store's count of order and shopper buckets
-- once: to the count wanted when the store is new (no log entry yet; its format is set too),
-- else to the 4,096 that a store written before the count was kept has. Registers the gateway
-- as a reader of the log already (at the log's end; reader_register, its next call, says where
-- it reads from), so that from this call on a move of the buckets (rebucket_begin) sees it.
-- Refused while the store is being moved to another count: no gateway starts before the move
-- is over. Payload: the store's bucket count, and how full its buckets are (bucket_fill_sample).
local function buckets()
  local moving = redis.call('GET', key('rebucket'))
  if moving then
    return refuse('store_unavailable', 'the store is being moved to ' .. moving .. ' buckets: ' ..
                  'run uudai redis-rebucket --redis-buckets ' .. moving .. ' again to finish')
  end
  local wanted = ARGV[2]
  local stored = redis.call('GET', key('buckets'))
  if not stored then
    if last_seq() > 0 then
      stored = OLDER_STORE_BUCKETS
    else
      stored = wanted ~= '' and wanted or NEW_STORE_BUCKETS
      if not BUCKET_DIGITS[stored] then return not_a_bucket_count(stored) end
      -- A new store: its format now, so that a build of another format refuses it from here on.
      redis.call('SET', key('format'), FORMAT)
    end
    redis.call('SET', key('buckets'), stored)
  end
  local digits = BUCKET_DIGITS[stored]
  if not digits then return not_a_bucket_count(stored) end
  -- A gateway that asked for another count does not start (RedisStore::CheckBuckets).
  if wanted == '' or wanted == stored then
    redis.call('HSET', key('readers'), ARGV[3], int(last_seq()) .. US .. ARGV[4])
  end
  return {'ok', '', '', '', '', stored, bucket_fill_sample(digits)}
end

-- ARGV: op. How full the store's buckets are now, for a gateway that watches it while it
-- serves. Writes nothing. Payload: the store's bucket count, and bucket_fill_sample.
local function bucket_fill()
  return {'ok', '', '', '', '', bucket_count_now or OLDER_STORE_BUCKETS,
          bucket_fill_sample(bucket_digits())}
end

-- ARGV: op, the count to move to, now (epoch ms), the readers' timeout (ms), and "1" when the
-- operator vouches that every gateway of the store is stopped (one that crashed is still a
-- reader until the timeout): the readers are then not asked. Starts moving the
-- store's live orders and shoppers' counts to that many buckets, or goes on with a move to it
-- that stopped half-way: `rebucket` names the count, `rebucket-at` how many of the old buckets
-- were moved. A prefix that holds no store is refused (not_found). A store that has the count
-- already answers "done" (nothing moves). Else refused
-- while a gateway of the store may still run (a reader of its log heard from within the
-- timeout: a gateway that stops leaves the readers at once, one that crashed is forgotten after
-- the timeout, and one starting registers in op buckets, before it reads a bucket), and while a
-- move to another count is under way. From here to the end of the move the store answers
-- nothing but these ops (dispatch), and it is in FORMAT: a build of OLDER_FORMAT, which knows
-- only 4,096 buckets, refuses it. Payload: "done" or "moving"; then the old buckets moved, and
-- their count.
local function rebucket_begin()
  local target, now, timeout = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
  if not BUCKET_DIGITS[target] then return not_a_bucket_count(target) end
  local store = redis.call('MGET', key('buckets'), key('format'), key('seq'))
  if not (store[1] or store[2] or store[3]) then
    return refuse('not_found', 'no store under ' .. PREFIX .. ': check --redis-prefix')
  end
  bucket_count_now = store[1] or nil
  local moving = redis.call('GET', key('rebucket'))
  local total = int(16 ^ bucket_digits())
  if not moving and BUCKET_DIGITS[target] == bucket_digits() then
    -- Already there; a store that had no count yet gets it written.
    redis.call('SET', key('buckets'), target)
    return {'ok', '', '', '', '', 'done', total, total}
  end
  if moving and moving ~= target then
    return refuse('request_in_progress', 'the store is being moved to ' .. moving ..
                  ' buckets: finish that move first (--redis-buckets ' .. moving .. ')')
  end
  local readers = ARGV[5] == '1' and {} or redis.call('HGETALL', key('readers'))
  for i = 1, #readers, 2 do
    local seen = tonumber(split(readers[i + 1], US)[2])
    if now - seen <= timeout then
      return refuse('request_in_progress', 'a gateway of the store was heard from ' ..
                    int(math.max(now - seen, 0)) .. ' ms ago: stop every gateway of the store ' ..
                    'first (one that crashed is forgotten ' .. int(timeout / 1000) ..
                    ' s after it was last heard from; when none runs, --gateways-stopped ' ..
                    'moves at once)')
    end
  end
  if not moving then
    redis.call('SET', key('rebucket'), target)
    redis.call('SET', key('rebucket-at'), '0')
    redis.call('SET', key('format'), FORMAT)
  end
  return {'ok', '', '', '', '', 'moving', redis.call('GET', key('rebucket-at')), total}
end

-- ARGV: op, the count the move goes to, old buckets to move in this call. Moves the next old
-- buckets of the move under way (rebucket_begin): every field of each (ob: and sb:) goes to its
-- bucket under the new count, named by the same SHA-1 (a field "#<SHA-1>" of a long text by
-- that SHA-1), and the old bucket is deleted; the names of the two counts differ in length, so
-- no old bucket is written to. After the last one, the store's count is the new one. A call
-- moves whole buckets and records how far it got, so a move that stops at any point goes on
-- from there; a call sent again after the last one answers "done".
-- Payload: "moving" or "done", the old buckets moved, and their count.
local function rebucket_move()
  bucket_count_now = redis.call('GET', key('buckets')) or nil
  local target = redis.call('GET', key('rebucket'))
  if not target then
    if ARGV[2] == (bucket_count_now or OLDER_STORE_BUCKETS) then
      local total = int(16 ^ bucket_digits())
      return {'ok', '', '', '', '', 'done', total, total}
    end
    return refuse('not_found', 'no move of the store\'s buckets is under way')
  end
  if target ~= ARGV[2] then
    return refuse('request_in_progress', 'the store is being moved to ' .. target .. ' buckets')
  end
  local from, to = bucket_digits(), BUCKET_DIGITS[target]
  local at, total = tonumber(redis.call('GET', key('rebucket-at')) or '0'), 16 ^ from
  local last = math.min(total, at + tonumber(ARGV[3])) - 1
  for bucket = at, last do
    local name = bucket_name(bucket, from)
    for _, kind in ipairs({'ob', 'sb'}) do
      local old = key(kind .. ':' .. name)
      local fields = redis.call('HGETALL', old)
      for i = 1, #fields, 2 do
        local field = fields[i]
        local digest
        if string.sub(field, 1, 1) == '#' then digest = string.sub(field, 2)
        else digest = redis.sha1hex(field) end
        redis.call('HSET', bucket_key(kind, digest, to), field, fields[i + 1])
      end
      if #fields > 0 then redis.call('DEL', old) end
    end
  end
  local moved = last + 1
  if moved < total then
    redis.call('SET', key('rebucket-at'), int(moved))
    return {'ok', '', '', '', '', 'moving', int(moved), int(total)}
  end
  redis.call('SET', key('buckets'), target)
  redis.call('DEL', key('rebucket'), key('rebucket-at'))
  return {'ok', '', '', '', '', 'done', int(moved), int(total)}
end
