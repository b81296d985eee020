-- Offers --------------------------------------------------------------------------------------

-- Layer::kMerchant as the gateway passes layers (a number, as stored in o:<id>'s `l`).
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

-- A batch of new offers (Store::CreateOffers) is written in calls of a bounded size, so that Redis
-- serves other clients between them however large the batch: offers_stage, a chunk of offers at a
-- time, checks them and writes everything of them but the log entry and the events (their hashes
-- o:<id>, each marked bt = the batch's token and bc = its chunk's number until the chunk is told,
-- their lines in `offers`, their public codes), and keeps the chunk's ids, merchants and journal
-- lines as one element of `bl:<token>`; offers_commit then publishes the whole batch at once in the
-- store (the token among the committed batches), and each call of offers_announce, the first made
-- by offers_commit itself, tells one chunk: one log entry `b` and an offer.created event an offer.
-- No call is larger than a chunk, however large the batch. `announcing` (token → chunks told) holds
-- a committed batch until its last chunk is told; a gateway that dies meanwhile leaves the rest to
-- any gateway's reader_heartbeat. An offer of a chunk not told yet is not published (published): no
-- view has it, so a write to it is refused as to an unknown offer, and no view can get a version of
-- it out of order. offers_unstage takes back a batch that was refused. `batch:<token>` (hash of the
-- staged ids, expiring with `bl:<token>`) stands for a batch being staged, `batches` (token →
-- commit time) for the committed ones not told whole yet (a told offer no longer carries bt): an
-- offer marked with a token that is neither was staged by a gateway that died before committing,
-- and counts as never written (its claims lapse: see batch_state).
local BATCH_TTL_MILLIS = 60000

-- "staged", "committed" or "lapsed" (see above).
local function batch_state(token)
  if redis.call('EXISTS', key('batch:' .. token)) == 1 then return 'staged' end
  if redis.call('HEXISTS', key('batches'), token) == 1 then return 'committed' end
  return 'lapsed'
end

-- Whether offer `id` is published: not staged, or staged by a committed batch that has told
-- its chunk (see offers_announce).
local function published(id)
  local staged = redis.call('HMGET', key('o:' .. id), 'bt', 'bc')
  local token = staged[1]
  if not token then return true end
  if batch_state(token) ~= 'committed' then return false end
  local told = redis.call('HGET', key('announcing'), token)
  return not told or tonumber(staged[2] or '0') < tonumber(told)
end

-- Deletes what a batch staged of offer `id`: its hash, its line in `offers` and its public
-- code's claim (offers_unstage, and a lapsed batch's offer whose id or code is wanted again).
local function drop_staged(id)
  local offer_key = key('o:' .. id)
  local o = redis.call('HMGET', offer_key, 'm', 'l', 'pc')
  if o[3] and o[3] ~= '' then
    local codes = pcode_key(code_scope(o[1], o[2]))
    if redis.call('HGET', codes, o[3]) == id then redis.call('HDEL', codes, o[3]) end
  end
  redis.call('DEL', offer_key)
  redis.call('HDEL', key('offers'), id)
end

-- Why a new offer cannot have id `id` (ids may be the client's, so a batch or a create may be
-- sent again): nil when it is free; "already_exists" when an offer has it (published, staged by
-- a committed batch, which will publish it, or staged by `token`, the batch asking); and
-- "request_in_progress" when another batch being staged holds it (it may yet be taken back: a
-- retry racing its first request must not be told the offer exists). What a lapsed batch staged
-- was never written: it is dropped and the id is free.
local function id_taken(id, token)
  local o = redis.call('HMGET', key('o:' .. id), 'v', 'bt')
  if not o[1] then return nil end
  if not o[2] or o[2] == token then return 'already_exists' end
  local state = batch_state(o[2])
  if state == 'committed' then return 'already_exists' end
  if state == 'staged' then return 'request_in_progress' end
  drop_staged(id)
  return nil
end

-- Why offer `id` cannot hold the live public code `code` in code scope `scope`: a message and
-- the offer holding it, or nil. `as_unique` is the code spelled as a unique code ("" when it
-- is not one): a shopper typing the public code would also name that unique code. A conflict
-- names only an offer of the same code scope.
local function code_taken(scope, code, id, as_unique)
  local owner = redis.call('HGET', pcode_key(scope), code)
  if owner and owner ~= id then
    -- The claim of a batch whose gateway died before committing it lapses (batch_state):
    -- its offer was never published, so what was staged of it goes too.
    local batch = redis.call('HGET', key('o:' .. owner), 'bt')
    if batch and batch_state(batch) == 'lapsed' then
      drop_staged(owner)
    else
      return 'code ' .. code .. ' already belongs to offer ' .. owner, owner
    end
  end
  owner = as_unique ~= '' and redis.call('HGET', key('ucode'), as_unique)
  if owner then
    local o = redis.call('HMGET', key('o:' .. owner), 'm', 'l', 's')
    if o[3] and o[3] ~= 'archived' and code_scope(o[1], o[2]) == scope then
      return 'code ' .. code .. ' is a unique code of offer ' .. owner, owner
    end
  end
  return nil
end

-- Writes offer `id`'s hash; ARGV[a..a+8] are what redemptions are re-checked against (limits
-- total, budget, per shopper, per day, starts_at, ends_at, daily window from, to, first order);
-- `hot`: "" (not hot), "1" (hot, its whole limits here) or "2" (hot, a share of them here).
local function write_offer_hash(id, version, merchant, layer, code_mode, status, code, a, hot)
  local offer_key = key('o:' .. id)
  redis.call('HSET', offer_key, 'v', version, 'm', merchant, 'l', layer, 'cm', code_mode,
             's', status, 'pc', code, 'lt', ARGV[a], 'lb', ARGV[a + 1], 'ls', ARGV[a + 2],
             'ld', ARGV[a + 3], 'sa', ARGV[a + 4], 'ea', ARGV[a + 5])
  if ARGV[a + 6] ~= '' then
    redis.call('HSET', offer_key, 'wf', ARGV[a + 6], 'wt', ARGV[a + 7])
  else
    redis.call('HDEL', offer_key, 'wf', 'wt')
  end
  if ARGV[a + 8] == '1' then
    redis.call('HSET', offer_key, 'fo', '1')
  else
    redis.call('HDEL', offer_key, 'fo')
  end
  if hot ~= '' then
    redis.call('HSET', offer_key, 'ht', hot)
  else
    redis.call('HDEL', offer_key, 'ht')
  end
end

-- The arguments of one offer (offer_put, offers_stage; AppendOfferArgs in the gateway): id,
-- merchant, layer, code mode, status, public code ("" when none), journal line of the stored
-- offer, then what redemptions are re-checked against: limits total, budget, per shopper, per
-- day ("-1" = none), starts_at, ends_at (epoch ms), daily window from, to (local minutes; "" =
-- none), first order ("1" | "0"); then the public code spelled as a unique code ("" when it is
-- not one); then hot: "" (not hot), "1" (a hot offer, its whole limits here) or "2" (a hot
-- offer of a spread store: the limits above are this shard's share of them).
local OFFER_ARGS = 18

-- ARGV: op, mode ("create" | "update"), base version, then the OFFER_ARGS of the offer.
local function offer_put()
  local mode, base, id = ARGV[2], tonumber(ARGV[3]), ARGV[4]
  local merchant, layer, code_mode, status, code = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  local current, version = {}, 1  -- current: the offer as stored (nothing for a new one)
  if mode == 'create' then
    local why = id_taken(id, '')
    if why == 'already_exists' then
      return refuse(why, 'offer ' .. id .. ' already exists')
    elseif why then
      return refuse(why, 'offer ' .. id .. ' is being registered by a batch still in progress: ' ..
                    'send it again once that batch is answered')
    end
  else
    current = redis.call('HMGET', key('o:' .. id), 'v', 'm', 'l', 'cm', 's', 'pc', 'ht')
    if not current[1] or not published(id) then
      return refuse('not_found', 'offer ' .. id .. ' does not exist')
    end
    if tonumber(current[1]) ~= base then
      return refuse('version_mismatch', 'offer ' .. id .. ' is at version ' .. current[1] ..
                    ', not ' .. ARGV[3], id)
    end
    if current[5] == 'archived' then
      return refuse('invalid_transition',
                    'offer ' .. id .. ' is archived; archived offers are final', id)
    end
    local changed = {}
    if merchant ~= current[2] then changed[#changed + 1] = 'merchant_id' end
    if code_mode ~= current[4] then changed[#changed + 1] = 'code_mode' end
    if layer ~= current[3] then changed[#changed + 1] = 'layer' end
    if (ARGV[21] ~= '') ~= (current[7] and true or false) then changed[#changed + 1] = 'hot' end
    if #changed > 0 then
      return refuse('validation_failed', 'cannot change after creation', '', unpack(changed))
    end
    version = base + 1
  end
  local live_code = code ~= '' and status ~= 'archived'
  local scope = code_scope(merchant, layer)
  local codes = pcode_key(scope)
  if live_code then
    local why, owner = code_taken(scope, code, id, ARGV[20])
    if why then return refuse('code_conflict', why, owner) end
  end
  if current[6] and current[6] ~= '' and redis.call('HGET', codes, current[6]) == id then
    redis.call('HDEL', codes, current[6])
  end
  if live_code then redis.call('HSET', codes, code, id) end
  write_offer_hash(id, version, merchant, layer, code_mode, status, code, 11, ARGV[21])
  local replaced = ''
  if mode ~= 'create' then
    replaced = redis.call('HGET', key('offers'), id) or ''
    redis.call('RPUSH', key('oh:' .. id), replaced)
  end
  redis.call('HSET', key('offers'), id, ARGV[10])
  emit(mode == 'create' and OFFER_CREATED or OFFER_UPDATED, '', merchant, id, ARGV[10], replaced)
  local previous, entry = append('m', ARGV[10])
  return {'ok', '', '', entry, previous}
end

-- ARGV: op, batch token, the batch position of this chunk's first offer, then the OFFER_ARGS
-- of each offer of the chunk. The chunk is staged whole or not at
-- all: a refusal names every refused offer by its batch position, payload pairs "[k].id" or
-- "[k].code", why.
local function offers_stage()
  local token, first = ARGV[2], tonumber(ARGV[3])
  local count = (#ARGV - 3) / OFFER_ARGS
  if count < 1 or count ~= math.floor(count) then
    return redis.error_reply('ERR uudai: offers_stage takes whole offers, at least one')
  end
  local taken, in_progress, conflicts, chunk_ids, chunk_codes = {}, {}, {}, {}, {}
  for k = 0, count - 1 do
    local b = 4 + k * OFFER_ARGS
    local id, merchant, layer, status, code = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 4],
                                              ARGV[b + 5]
    local at = '[' .. int(first + k) .. ']'
    local why = chunk_ids[id] and 'already_exists' or id_taken(id, token)
    if why == 'already_exists' then
      taken[#taken + 1] = at .. '.id'
      taken[#taken + 1] = 'offer ' .. id .. ' already exists'
    elseif why then
      in_progress[#in_progress + 1] = at .. '.id'
      in_progress[#in_progress + 1] = 'offer ' .. id .. ' is being registered by another batch ' ..
                                      'still in progress'
    end
    chunk_ids[id] = true
    if code ~= '' and status ~= 'archived' then
      local scope = code_scope(merchant, layer)
      local tag = scope .. US .. code
      local why, owner = code_taken(scope, code, id, ARGV[b + 16])
      if why and redis.call('HGET', key('o:' .. owner), 'bt') == token then
        why = 'code ' .. code .. ' is also the code of offer ' .. owner .. ' in this batch'
      elseif not why and chunk_codes[tag] then
        why = 'code ' .. code .. ' is also the code of ' .. chunk_codes[tag] .. ' in this batch'
      end
      if why then
        conflicts[#conflicts + 1] = at .. '.code'
        conflicts[#conflicts + 1] = why
      else
        chunk_codes[tag] = at
      end
    end
  end
  -- Built, not unpacked: a refusal of many offers is past unpack's limit.
  local function refused(code, message, pairs)
    local reply = refuse(code, message)
    for i = 1, #pairs do reply[#reply + 1] = pairs[i] end
    return reply
  end
  if #in_progress > 0 then
    return refused('request_in_progress', 'offers are being registered by another batch still ' ..
                   'in progress: send this one again once that batch is answered', in_progress)
  end
  if #taken > 0 then return refused('already_exists', 'offer ids already exist', taken) end
  if #conflicts > 0 then
    return refused('code_conflict', 'public codes already belong to other offers', conflicts)
  end
  local batch, chunks = key('batch:' .. token), key('bl:' .. token)
  local chunk = int(redis.call('LLEN', chunks))
  local named, lines = {}, {}
  for k = 0, count - 1 do
    local b = 4 + k * OFFER_ARGS
    local id, merchant, layer, status, code = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 4],
                                              ARGV[b + 5]
    if code ~= '' and status ~= 'archived' then
      redis.call('HSET', pcode_key(code_scope(merchant, layer)), code, id)
    end
    write_offer_hash(id, 1, merchant, layer, ARGV[b + 3], status, code, b + 7, ARGV[b + 17])
    redis.call('HSET', key('o:' .. id), 'bt', token, 'bc', chunk)
    redis.call('HSET', key('offers'), id, ARGV[b + 6])
    redis.call('HSET', batch, id, '')
    named[2 * k + 1], named[2 * k + 2] = id, merchant
    lines[k + 1] = ARGV[b + 6]
  end
  redis.call('RPUSH', chunks, table.concat(named, US) .. RS .. table.concat(lines, '\n'))
  redis.call('PEXPIRE', batch, BATCH_TTL_MILLIS)
  redis.call('PEXPIRE', chunks, BATCH_TTL_MILLIS)
  return {'ok', '', '', '', ''}
end

-- Tells the next chunk of committed batch `token` not told yet: one log entry `b` (the chunk's
-- journal lines, newline-separated) and an offer.created event an offer; forgets the batch's
-- chunks after its last. Answers the log entry and the one before it, or nil, nil when the batch
-- has nothing left to tell.
local function announce(token)
  local told = redis.call('HGET', key('announcing'), token)
  if not told then return nil, nil end
  local chunks = key('bl:' .. token)
  local chunk = redis.call('LINDEX', chunks, told)
  local lines
  if chunk then
    local cut = string.find(chunk, RS, 1, true)
    local named, start = split(string.sub(chunk, 1, cut - 1), US), 1
    lines = string.sub(chunk, cut + 1)
    for i = 1, #named, 2 do
      local stop = string.find(lines, '\n', start, true) or (#lines + 1)
      emit(OFFER_CREATED, '', named[i + 1], named[i], string.sub(lines, start, stop - 1), '')
      -- Told: published for good, no longer of a batch (see published).
      redis.call('HDEL', key('o:' .. named[i]), 'bt', 'bc')
      start = stop + 1
    end
    told = tonumber(told) + 1
  end
  if not chunk or told >= redis.call('LLEN', chunks) then
    -- The last chunk: nothing of the batch is left to remember.
    redis.call('HDEL', key('announcing'), token)
    redis.call('HDEL', key('batches'), token)
    redis.call('DEL', chunks)
  else
    redis.call('HSET', key('announcing'), token, int(told))
  end
  if not chunk then return nil, nil end
  return append('b', lines)
end

-- The reply of a call that told a chunk of batch `token` (its log entry), or found nothing
-- left to tell (no entry: a heartbeat told the rest). Payload: "more" while chunks are left,
-- else "done"; then, when this call told nothing, the log's last entry (what a view holding
-- the whole batch has read).
local function announced(token, previous, entry)
  local more = redis.call('HEXISTS', key('announcing'), token) == 1 and 'more' or 'done'
  if not entry then return {'ok', '', '', '', '', more, int(last_seq()) .. '-0'} end
  return {'ok', '', '', entry, previous, more, ''}
end

-- ARGV: op, batch token, the number of offers staged, the number of chunks they were staged in,
-- the commit time. Publishes the batch in the store (its token among the committed batches) and
-- tells its first chunk (see announced). Refused when the batch lapsed meanwhile.
local function offers_commit()
  local token = ARGV[2]
  local batch, chunks = key('batch:' .. token), key('bl:' .. token)
  if redis.call('HLEN', batch) ~= tonumber(ARGV[3]) or
     redis.call('LLEN', chunks) ~= tonumber(ARGV[4]) then
    return refuse('store_unavailable', 'the staged batch expired before it was committed')
  end
  redis.call('HSET', key('batches'), token, ARGV[5])
  redis.call('DEL', batch)
  redis.call('PERSIST', chunks)
  redis.call('HSET', key('announcing'), token, '0')
  local previous, entry = announce(token)
  return announced(token, previous, entry)
end

-- ARGV: op, batch token. Tells the next chunk of a committed batch (see announced).
local function offers_announce()
  local previous, entry = announce(ARGV[2])
  return announced(ARGV[2], previous, entry)
end

-- ARGV: op, batch token. Takes back what offers_stage claimed for the batch, unless it was
-- committed (a commit whose answer was lost): then its chunks are still to be told.
local function offers_unstage()
  if redis.call('HEXISTS', key('batches'), ARGV[2]) == 1 then return {'ok', '', '', '', ''} end
  local batch = key('batch:' .. ARGV[2])
  for _, id in ipairs(redis.call('HKEYS', batch)) do
    if redis.call('HGET', key('o:' .. id), 'bt') == ARGV[2] then drop_staged(id) end
  end
  redis.call('DEL', batch, key('bl:' .. ARGV[2]))
  return {'ok', '', '', '', ''}
end

-- ARGV: op, offer id, unique code mode name, codes... Payload: the codes that already existed.
local function issue_codes()
  local id = ARGV[2]
  local current = redis.call('HMGET', key('o:' .. id), 'cm', 's')
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
  if #issued > 0 then previous, entry = append('i', id, 'c', table.concat(issued, ',')) end
  return {'ok', '', '', entry, previous, unpack(duplicates)}
end
