-- uudai's Redis store, a Redis Functions library (Redis 7): every write is ONE call of its
-- function, so it is atomic and costs one round trip:  FCALL <name> 1 <prefix>log <op> <args...>
-- The operations that only read are also <name>_ro, flagged no-writes (FCALL_RO), which Redis
-- runs on replicas and over maxmemory too.
-- RedisFunction (gateway/src/redis/redis_function.h) puts the shebang line in front of
-- this text, with the library's name (derived from this text, so that two builds never run each
-- other's code), and defines NAME before it. Loaded once per Redis (FUNCTION LOAD, kept in its
-- RDB and AOF); nothing below the registration runs per call, so a call pays for its own work
-- only. The library is this file followed by redis_store_webhooks.lua, redis_store_holds.lua,
-- redis_store_shares.lua and redis_store_dispatch.lua (which registers the operations), joined into one text at build
-- time (gateway/CMakeLists.txt).
--
-- KEYS[1] is the change log (a stream). Every other key is named from the same prefix, which
-- holds a hash tag (e.g. "uudai:{main}:"), so that all of a store's keys share one Redis
-- Cluster slot. Keys (see RedisStore in redis_store.h for the full contract):
--   log           stream: every change, in the order it happened (offers, batches of new
--                 offers, codes, redemptions, transitions, each carrying its redemption
--                 record); gateways replay it into
--                 their in-memory view. Entry ids are "<seq>-0", seq counted by `seq`, so that
--                 a call knows the entry before its own without reading the stream, and a
--                 reader tells a trimmed gap from the end. Trimmed to the entries after the
--                 position of the reader furthest behind (reader_heartbeat)
--   readers       hash: reader id (one per gateway) → its view's position US when last heard
--                 (epoch ms); a reader silent for longer than the gateway's timeout is dropped
--   offers        hash: offer id → the offer's journal line at its latest version (the log's
--                 `m` entries say the same; this outlives their trimming)
--   seq           string: the number of the log's last entry
--   ledger        list: redemption ids in creation order (ledger position = list index)
--   rec           hash: redemption id → its record (RedemptionRecord in redemption_record.h):
--                 head US-separated (status, committed/released/expired/refunded at), RS, the
--                 part this script reads (expires_at, shopper, local day, merchant, order, then
--                 offer id, discount, held unique code, restores-on-refund per applied offer),
--                 RS, the rest, which only the gateway reads
--   o:<id>        hash, one per offer: its version and what a redemption is re-checked
--                 against — v (version) m (merchant) l (layer) cm (code mode) s (status)
--                 pc (public code) lt lb ls ld (limits, -1 = none) sa ea (window, epoch ms)
--                 wf wt (daily window, local minutes; absent = none) fo ("1" for a first_order
--                 offer; absent otherwise) — and its counters:
--                 n (live redemptions) b (budget spent) d:<local day>, and ta (the budget
--                 thresholds announced: ThresholdBit's mask; absent = none), ht (a hot offer:
--                 "1", or "2" when the limits here are this shard's share of a spread store's,
--                 see redis_store_shares.lua; absent otherwise). Small: Redis keeps it
--                 as a listpack, which a call reads in one pass
--   oh:<id>       list, one per offer written more than once: the journal lines of its versions
--                 before the latest, oldest first (the latest is in `offers`)
--   sb:<bucket>   hash, one of 4,096 (see bucket_place): shopper → that shopper's live
--                 (reserved or committed) redemptions, as name US count pairs joined by US:
--                 p (on the whole platform), m:<merchant> (at that shop), o:<offer id> (of
--                 that offer); or "*" when they outgrew 64 bytes and are in s:<shopper>. What
--                 first_order offers (p, m:) and per-shopper limits (o:) are checked against;
--                 counted whether or not any offer needs them, so that one added later counts
--                 them. A count at 0 is left out, and the shopper with the last one
--   s:<shopper>   hash, one per shopper whose counts outgrew its field of sb:<bucket> (a
--                 shopper id shared by many checkouts): the same counts, a field each
--   pcode         hash: platform-wide public code → offer id (platform, payment and shipping
--                 offers that are not archived)
--   pcode:<merchant>  hash: that shop's public code → offer id (its merchant-layer offers that
--                 are not archived); a code is unique only within its scope (see offer_put)
--   batch:<token> hash, expiring: the ids of a batch of new offers being staged
--                 (offers_stage), until offers_commit publishes it
--   bl:<token>    list, expiring until the batch is committed: per staged chunk of the batch,
--                 its offers' ids and merchants (US-separated) RS their journal lines
--                 (newline-separated); deleted once its last chunk is told (offers_announce)
--   batches       hash: token of each committed batch not told whole yet → its commit time
--                 (epoch ms)
--   announcing    hash: token of each committed batch not told whole yet → its chunks told
--   ucode         hash: unique code → offer id (every issued code)
--   uheld         hash: unique code → id of the live redemption holding it
--   ob:<bucket>   hash, one of 4,096 (see bucket_place): merchant US order → id of its live
--                 redemption
--   expiry        zset: reserved redemption ids by expires_at
--   i:<scope>     string, an idempotency record: fingerprint US redemption id US created at US
--                 the first response, or "" when the gateway renders it again from the
--                 redemption's record; PEXPIRE'd after the retention period. Or a refusal's
--                 fence: "x" US fingerprint US refused at, PEXPIRE'd after the fence period
--   amount        string: the sum of the order amounts (items subtotal + shipping fee) of every
--                 redemption ever created, bounded by MAX_LIFETIME_AMOUNT
--   ev            stream: the store's events (engine/include/uudai/store_event.h), entry ids
--                 "<seq>-0" with seq counted by `evseq`, written by the same call as the change
--                 they tell. Fields `e`, `u` (see add_event) and, on a creation, `c`. `e`: the
--                 type (EventType's number) US time (epoch ms; "" for offer events, whose time
--                 is the offer's updated_at) US merchant US then
--                 by type: offer.created | updated: offer id US the offer's journal line US the
--                 line it replaced ("" for a new offer); redemption.*: redemption id (its record
--                 tells the rest); offer.budget_threshold: offer id US basis (0 redemptions,
--                 1 budget) US percent US used US limit. Trimmed to about the gateways' event
--                 retention (reader_heartbeat)
--   evseq         string: the seq of the last event written
--   wh            hash: webhook id → its line (EncodeWebhookLine in store/codec/webhook_codec.h,
--                 written with delivered_through and rewinds 0: its progress is in `whp`)
--   whp           hash: webhook id → its progress: delivered_through US rewinds
--   wha:<id>      list, one per webhook attempted: its delivery attempts' lines
--                 (EncodeDeliveryAttemptLine), newest first, the latest kDeliveryLogLength
--   whl:<id>      string, PX-expiring: the owner (a gateway process) of the webhook's delivery
--                 lease
--   format        string: the layout of these keys (FORMAT below), set with the log's first
--                 entry. A gateway refuses to start on a store without it or with another one:
--                 such a store was written by another build of uudai (see the op "format")
--   ready-probe   string, 60 s TTL: not written here; a gateway whose last write Redis refused
--                 (OOM, READONLY, ...) SETs it once a second to learn when writes work
--   <key>:replicated  string, 10 s TTL: not written here; with --redis-wait-replicas a gateway
--                 SETs it after every call or read of <key>, before WAIT, so that the wait
--                 covers what it read
--   h:<id>, holds, dead:<id>, out  a spread store's holds of offers for redemptions whose home
--                 is another shard, claims and releases to send (redis_store_holds.lua)
--   hh:<id>       string, one per live redemption with offers held in other shards: the holds'
--                 deadline US then per held offer: its shard US its id (see create); read when
--                 the redemption gives its limits back (transition), deleted then
--   migration-probe:1, migration-probe:2  never exist: see slot_migrating
--                 (redis_store_dispatch.lua)
--
-- Every reply is {code, message, offer_id, entry_id, previous_entry_id, payload...}: code is
-- "ok" or a uudai error code (quota_exhausted, ...); entry_id is the log entry this call added
-- (its last one when several; "" when none) and previous_entry_id the entry just before its
-- first one, so that a gateway whose view already holds that entry can apply the change
-- itself, in order, without reading the log. Times are epoch milliseconds; money is whole
-- đồng, passed as decimal strings (Lua numbers are doubles: exact below 2^53 > 10^15).
-- Every check comes before the first write (create's last check, that the redemption id is new,
-- is its first write: an HSETNX).

-- The layout of the keys this library reads and writes. Raise it with any change that a view
-- or a library of the previous layout would misread (4: one record per redemption, offers and
-- their counters in one hash, idempotency records as strings, log entries numbered by `seq`,
-- the log trimmed, offers kept in `offers`; 5: a record's applied offers say which amount is a
-- cashback, offers carry `fo`; 6: a shopper's live redemptions are counted in s:<shopper>, an
-- idempotency record may leave its first response to be rendered from the record; 7: events in
-- `ev`, thresholds announced in o:<id>'s `ta`; 8: an offer's earlier versions in oh:<id>;
-- webhooks in wh, whp, wha:<id>, whl:<id>; 9: live orders and shoppers' counts in buckets,
-- ob:<bucket> and sb:<bucket>, instead of `orders` and a key per shopper).
local FORMAT = '9'

local US, RS = '\31', '\30'

-- Set at the start of every call (a function gets its keys and arguments as parameters).
local ARGV, LOG, PREFIX

local function key(name) return PREFIX .. name end

-- Live orders and shoppers' counts of live redemptions are kept in 4,096 small hashes each
-- (ob:<bucket>, sb:<bucket>) rather than in one large hash and in a key per shopper: Redis
-- keeps a hash of at most hash-max-listpack-entries (128) fields and values of at most
-- hash-max-listpack-value (64) bytes as one listpack, about half the memory of a hash table's
-- entry and far less than a key of its own. A bucket is named by the first 3 hex digits of the
-- SHA-1 of what it holds, so that about 400,000 live orders or shoppers stay in listpacks
-- (beyond, buckets turn into hash tables, for good, and cost what the large hash did). Nothing
-- longer than LISTPACK_VALUE goes into a bucket: a longer order key or shopper id is stored
-- as "#" and its SHA-1 (no identifier holds a "#"), and a shopper's counts that outgrow it go
-- to a hash of its own (see read_counts).
local LISTPACK_VALUE = 64
-- Where `text` is kept among buckets `kind`: the bucket's key and the field.
local function bucket_place(kind, text)
  local digest = redis.sha1hex(text)
  local field = text
  if #text > LISTPACK_VALUE then field = '#' .. digest end
  return key(kind .. ':' .. string.sub(digest, 1, 3)), field
end
local function order_place(order_key) return bucket_place('ob', order_key) end

-- The fields of `text` between separators `sep` (a plain character).
local function split(text, sep)
  local out, n, start = {}, 0, 1
  while true do
    local at = string.find(text, sep, start, true)
    n = n + 1
    if not at then
      out[n] = string.sub(text, start)
      return out
    end
    out[n] = string.sub(text, start, at - 1)
    start = at + 1
  end
end

-- An integer as Redis reads one (tostring would write 1e+15 for large doubles).
local function int(x) return string.format('%d', x) end
-- Decimal integers of at most this many digits add up exactly in Lua numbers (doubles, exact
-- below 2^53 > 2 * 10^15); longer ones are added by Redis (HINCRBY).
local EXACT_DIGITS = 15

-- This Redis's clock, epoch ms: what a spread store's deadlines are compared with (a call sent
-- again after a timeout carries its first `now`).
local function redis_millis()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- How long past its deadline a spread store remembers a released hold or a claimed id, so that
-- a call arriving late is refused (after it, the deadline alone refuses it).
local HOLD_TOMBSTONE_MILLIS = 60000

-- The most the order amounts of every redemption may add up to (kMaxLifetimeAmount in
-- engine/include/uudai/money.h): it keeps every counter and stats sum within int64, so no
-- HINCRBY can fail half-way through a call. Written as 10^9-digit halves: Lua numbers are
-- doubles, exact only below 2^53, so sums near 10^18 are added half by half (see exceeds).
local MAX_LIFETIME_HIGH, MAX_LIFETIME_LOW = 2000000000, 0

-- Whether the sum of two non-negative decimal integers below 10^19 (strings) passes the
-- bound high * 10^9 + low. Exact: every half is below 10^10.
local function halves(x)
  local n = #x
  if n <= 9 then return 0, tonumber(x) end
  return tonumber(string.sub(x, 1, n - 9)), tonumber(string.sub(x, n - 8))
end
local function exceeds(a, b, high, low)
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

-- The number of the log's last entry (0 before the first).
local function last_seq() return tonumber(redis.call('GET', key('seq')) or '0') end

-- Appends one entry to the log; returns the id of the entry before it and its own id.
local function append(...)
  local seq = redis.call('INCR', key('seq'))
  if seq == 1 then redis.call('SET', key('format'), FORMAT) end
  local entry = int(seq) .. '-0'
  redis.call('XADD', LOG, entry, ...)
  return int(seq - 1) .. '-0', entry
end

-- Appends one event (see `ev` above): its type's number and the fields after it.
-- Field `u`: this Redis's clock in µs (a spread store's shards' events are merged in its
-- order); `c`: "1" on the event of a redemption's creation (a spread store's ledger is made of
-- them). See redis_store_holds.lua, events_since.
local function add_event(created, type_number, ...)
  local seq = redis.call('INCR', key('evseq'))
  local t = redis.call('TIME')
  local text = table.concat({type_number, ...}, US)
  local micros = t[1] .. string.sub('00000' .. t[2], -6)
  if created then
    redis.call('XADD', key('ev'), int(seq) .. '-0', 'e', text, 'u', micros, 'c', '1')
  else
    redis.call('XADD', key('ev'), int(seq) .. '-0', 'e', text, 'u', micros)
  end
end
local function emit(type_number, ...) add_event(false, type_number, ...) end

-- EventType's numbers (engine/include/uudai/store_event.h).
local OFFER_CREATED, OFFER_UPDATED, BUDGET_THRESHOLD = '0', '1', '7'
-- The event of a redemption now at status `status` (RedemptionStatus's number, a string).
local REDEMPTION_EVENT = {['0'] = '2', ['1'] = '3', ['2'] = '4', ['3'] = '5', ['4'] = '6'}
local function redemption_event(status) return REDEMPTION_EVENT[status] end
local THRESHOLD_PERCENTS = {80, 95, 100}

-- Whether `used` is at least `percent` % of `limit`, exactly (both below 2^53; limit * percent
-- may not be: it is split at 100).
local function reaches(used, limit, percent)
  local whole, part = math.floor(limit / 100), limit % 100
  return used >= whole * percent + math.ceil(part * percent / 100)
end

-- The thresholds that `live` redemptions and `spent` budget reach under limits lt, lb (numbers;
-- -1 = none) and that mask `mask` (a number) does not hold: calls reached(basis, percent, used,
-- limit, ...) for each, in order (`...`: the arguments after `reached`), and answers the mask
-- with them.
local function thresholds_reached(lt, lb, live, spent, mask, reached, ...)
  for basis = 0, 1 do
    local limit, used = lt, live
    if basis == 1 then limit, used = lb, spent end
    if limit > 0 then
      for index = 1, #THRESHOLD_PERCENTS do
        local percent, bit = THRESHOLD_PERCENTS[index], 2 ^ (basis * 3 + index - 1)
        if math.floor(mask / bit) % 2 == 0 and reaches(used, limit, percent) then
          mask = mask + bit
          reached(basis, percent, used, limit, ...)
        end
      end
    end
  end
  return mask
end

-- Announces the thresholds of offer `id` (hash `offer_key`) that `live` redemptions and `spent`
-- budget reach and its mask `announced` (a string or nil) does not hold; limits lt, lb ("-1" =
-- none); at: the redemption's time. Writes the mask when it grew.
local function emit_threshold(basis, percent, used, limit, id, merchant, at)
  emit(BUDGET_THRESHOLD, at, merchant, id, int(basis), int(percent), int(used), int(limit))
end
local function announce_thresholds(id, offer_key, merchant, at, lt, lb, live, spent, announced)
  local before = tonumber(announced or '0')
  local mask = thresholds_reached(tonumber(lt), tonumber(lb), live, spent, before,
                                  emit_threshold, id, merchant, at)
  if mask ~= before then redis.call('HSET', offer_key, 'ta', int(mask)) end
end

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
      redis.call('DEL', key('o:' .. owner))
      redis.call('HDEL', key('offers'), owner)
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
  local current = redis.call('HMGET', key('o:' .. id), 'v', 'm', 'l', 'cm', 's', 'pc', 'ht')
  local version = 1
  if mode == 'create' then
    if current[1] then return refuse('already_exists', 'offer ' .. id .. ' already exists') end
  else
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
  local taken, conflicts, chunk_ids, chunk_codes = {}, {}, {}, {}
  for k = 0, count - 1 do
    local b = 4 + k * OFFER_ARGS
    local id, merchant, layer, status, code = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 4],
                                              ARGV[b + 5]
    local at = '[' .. int(first + k) .. ']'
    if chunk_ids[id] or redis.call('EXISTS', key('o:' .. id)) == 1 then
      taken[#taken + 1] = at .. '.id'
      taken[#taken + 1] = 'offer ' .. id .. ' already exists'
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
    local offer_key = key('o:' .. id)
    local o = redis.call('HMGET', offer_key, 'm', 'l', 'pc', 'bt')
    if o[4] == ARGV[2] then
      if o[3] and o[3] ~= '' then
        local codes = pcode_key(code_scope(o[1], o[2]))
        if redis.call('HGET', codes, o[3]) == id then redis.call('HDEL', codes, o[3]) end
      end
      redis.call('DEL', offer_key)
      redis.call('HDEL', key('offers'), id)
    end
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
      if claim[1] ~= fingerprint then
        return refuse('idempotency_key_reused',
                      'this Idempotency-Key was used with a different request body')
      end
      return {'ok', '', '', '', '', 'replayed', claim[4], claim[2],
              redis.call('HGET', key('rec'), claim[2]) or ''}
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
    if claim[1] ~= fingerprint then
      return refuse('idempotency_key_reused',
                    'this Idempotency-Key was used with a different request body')
    end
    return {'ok', '', '', '', '', 'replayed', claim[4], claim[2],
            redis.call('HGET', key('rec'), claim[2]) or ''}
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

-- ARGV: op, start, stop (0 = the ledger's end now), count. Reads ledger positions
-- [start, min(stop, start + count)). Payload: the stop used, then for each position its id and
-- its record. Writes nothing.
-- Appends to `reply` the id and the record of each redemption in ledger positions
-- [start, last]; returns how many there were.
local function append_records(reply, start, last)
  local ids = redis.call('LRANGE', key('ledger'), start, last)
  if #ids == 0 then return 0 end
  local records = redis.call('HMGET', key('rec'), unpack(ids))
  for i, id in ipairs(ids) do
    reply[#reply + 1] = id
    reply[#reply + 1] = records[i] or ''
  end
  return #ids
end

local function ledger_page()
  local start, stop, count = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  local size = redis.call('LLEN', key('ledger'))
  if stop == 0 or stop > size then stop = size end
  local reply = {'ok', '', '', '', '', tostring(stop)}
  local last = math.min(stop, start + count) - 1
  if last >= start then append_records(reply, start, last) end
  return reply
end

-- ARGV: op. Payload: this library's FORMAT, the store's format ("" when it has none) and the
-- number of entries ever written to the log. Writes nothing.
local function format()
  local stored = redis.call('GET', key('format')) or ''
  local written = redis.call('GET', key('seq')) or tostring(redis.call('XLEN', LOG))
  return {'ok', '', '', '', '', FORMAT, stored, written}
end

-- Readers of the log and its trimming -------------------------------------------------------

-- Whether the log still holds every entry ever written (none trimmed yet).
local function log_complete()
  local first = redis.call('XRANGE', LOG, '-', '+', 'COUNT', 1)[1]
  if first == nil then return last_seq() == 0 end
  return first[1] == '1-0'
end

-- ARGV: op, reader, now. A gateway starting to read the log registers as a reader, so that no
-- entry it still needs is trimmed: at 0 when the log is complete (it reads it all), else at the
-- log's end (it builds its view from the keys with `scan` and reads the log from there).
-- Payload: the position registered at, and "1" when the log is complete, else "0".
local function reader_register()
  local complete = log_complete()
  local at = 0
  if not complete then at = last_seq() end
  redis.call('HSET', key('readers'), ARGV[2], int(at) .. US .. ARGV[3])
  return {'ok', '', '', '', '', int(at), complete and '1' or '0'}
end

-- ARGV: op, reader, position, now, ttl, event retention. Tells a chunk of a committed batch left
-- untold (see announce; its log entry is not in the reply: views read it from the log), records
-- where a reader's view stands, forgets readers not heard of within ttl milliseconds, trims the log
-- to the entries after the position of the reader furthest behind and the events to about the
-- retention. Payload: that position and how many entries were trimmed.
local function reader_heartbeat()
  redis.call('XTRIM', key('ev'), 'MAXLEN', '~', ARGV[6])
  -- A batch committed by a gateway that stopped before telling every chunk: one chunk a call.
  local untold = redis.call('HRANDFIELD', key('announcing'))
  if untold then announce(untold) end
  local readers = key('readers')
  local now, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
  redis.call('HSET', readers, ARGV[2], ARGV[3] .. US .. ARGV[4])
  local all = redis.call('HGETALL', readers)
  local lowest
  for i = 1, #all, 2 do
    local at = split(all[i + 1], US)
    local position, seen = tonumber(at[1]), tonumber(at[2])
    if now - seen > ttl then
      redis.call('HDEL', readers, all[i])
    elseif lowest == nil or position < lowest then
      lowest = position
    end
  end
  local trimmed = redis.call('XTRIM', LOG, 'MINID', int(lowest + 1) .. '-0')
  return {'ok', '', '', '', '', int(lowest), tostring(trimmed)}
end

-- ARGV: op, reader. A reader that stops reading (a gateway shutting down).
local function reader_leave()
  redis.call('HDEL', key('readers'), ARGV[2])
  return {'ok', '', '', '', '', ''}
end

-- ARGV: op, kind ("offers" | "codes" | "records"), cursor, count. One page of the state a view
-- is built from when the log no longer holds the whole history. Payload: the number of the
-- log's last entry when the page was read (the page reflects every entry up to it), the next
-- cursor ("0" after the last page), then the page: offers' journal lines; code, offer id
-- pairs; redemption id, record pairs in ledger order (cursor = ledger position). Writes
-- nothing.
local function scan()
  local kind, cursor, count = ARGV[2], ARGV[3], tonumber(ARGV[4])
  local reply = {'ok', '', '', '', '', int(last_seq())}
  if kind == 'records' then
    local start = tonumber(cursor)
    reply[7] = ''
    local read = append_records(reply, start, start + count - 1)
    reply[7] = read < count and '0' or int(start + read)
    return reply
  end
  local hash = kind == 'offers' and key('offers') or key('ucode')
  local page = redis.call('HSCAN', hash, cursor, 'COUNT', count)
  reply[7] = page[1]
  local items = page[2]
  for i = 1, #items, kind == 'offers' and 2 or 1 do
    -- A staged offer is not written yet (batch_state).
    if kind ~= 'offers' or published(items[i]) then
      reply[#reply + 1] = items[kind == 'offers' and i + 1 or i]
    end
  end
  return reply
end

-- ARGV: op, after, limit, merchant ("" = every shop's), most events to look at. Reads the
-- events after seq `after`: at most `limit` (of the merchant's, looking at no more than the
-- most). Payload: the last seq written, the oldest seq held ("0": none), the seq of the last
-- event looked at (`after` when none), then each event's seq, its text (field `e`) and, for a
-- redemption event, its redemption's record ("" otherwise). Writes nothing.
local function events_page()
  local after, limit, merchant, most = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4],
                                       tonumber(ARGV[5])
  local events = key('ev')
  local first = redis.call('XRANGE', events, '-', '+', 'COUNT', 1)[1]
  local reply = {'ok', '', '', '', '', redis.call('GET', key('evseq')) or '0',
                 first and string.sub(first[1], 1, -3) or '0', ARGV[2]}
  local found, looked, from = 0, 0, after + 1
  while found < limit and looked < most do
    local want = merchant == '' and limit - found or math.min(most - looked, 1000)
    local batch = redis.call('XRANGE', events, int(from) .. '-0', '+', 'COUNT', want)
    if #batch == 0 then break end
    for _, entry in ipairs(batch) do
      local seq, text = string.sub(entry[1], 1, -3), entry[2][2]
      looked = looked + 1
      reply[8] = seq
      local fields = split(text, US)
      if merchant == '' or fields[3] == merchant then
        local type_number = tonumber(fields[1])
        local record = ''
        if entry[2][3] == 'r' then
          record = entry[2][4]  -- merged from a shard with its record (events_merge)
        elseif type_number >= 2 and type_number <= 6 then
          record = redis.call('HGET', key('rec'), fields[4]) or ''
        end
        reply[#reply + 1] = seq
        reply[#reply + 1] = text
        reply[#reply + 1] = record
        found = found + 1
      end
      if found >= limit or looked >= most then break end
    end
    from = tonumber(reply[8]) + 1
  end
  return reply
end

-- ARGV: op, offer id, after version, limit. Payload: the offer's latest version ("" when the
-- offer does not exist), its merchant, then the journal lines of its versions after `after`,
-- oldest first, at most `limit`. Writes nothing.
local function offer_history()
  local id, after, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
  local latest = redis.call('HGET', key('offers'), id)
  local o = redis.call('HMGET', key('o:' .. id), 'v', 'm')
  local version = o[1]
  if not latest or not version or not published(id) then return {'ok', '', '', '', '', '', ''} end
  local reply = {'ok', '', '', '', '', version, o[2]}
  -- Versions are consecutive from 1: version v is oh:<id>'s element v - 1, the latest after.
  local last_earlier = math.min(after + limit, tonumber(version) - 1)
  if after < last_earlier then
    for _, line in ipairs(redis.call('LRANGE', key('oh:' .. id), after, last_earlier - 1)) do
      reply[#reply + 1] = line
    end
  end
  if after + limit >= tonumber(version) and after < tonumber(version) then
    reply[#reply + 1] = latest
  end
  return reply
end
