-- uudai's Redis store, a Redis Functions library (Redis 7): every write is ONE call of its
-- function, so it is atomic and costs one round trip:  FCALL <name> 1 <prefix>log <op> <args...>
-- The operations that only read are also <name>_ro, flagged no-writes (FCALL_RO), which Redis
-- runs on replicas and over maxmemory too.
-- RedisFunction (gateway/src/redis/redis_function.h) puts the shebang line in front of
-- this text, with the library's name (derived from this text, so that two builds never run each
-- other's code), and defines NAME before it. Loaded once per Redis (FUNCTION LOAD, kept in its
-- RDB and AOF); nothing below the registration runs per call, so a call pays for its own work
-- only. The library is this file (the keys, the reply, what every part shares) followed by
-- its parts, joined into one text at build time (gateway/CMakeLists.txt), in this order:
--   redis_store_offers.lua        offers, batches of new offers, unique codes
--   redis_store_redemptions.lua   creating a redemption, refusals, live orders, replays
--   redis_store_transitions.lua   commit, cancel, refund, expiry
--   redis_store_log.lua           ledger pages, the format, the log's readers, events, histories
--   redis_store_buckets.lua       the store's bucket count, and moving a store to another
--   redis_store_webhooks.lua      webhooks and their deliveries
--   redis_store_holds.lua         a spread store's holds of offers for other shards
--   redis_store_shares.lua        a spread store's shares of hot offers
--   redis_store_dispatch.lua      the operations by name, registered as the functions
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
--   sb:<bucket>   hash, one of `buckets` (see bucket_place): shopper → that shopper's live
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
--   ob:<bucket>   hash, one of `buckets` (see bucket_place): merchant US order → id of its live
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
--   buckets       string: how many buckets each of ob: and sb: has (BUCKET_DIGITS below), set
--                 once by the first gateway to start on the store (op "buckets"); absent in a
--                 store written before it was kept, whose buckets are 4,096. Changed only by
--                 moving the store to another count (redis_store_buckets.lua), with
--   rebucket, rebucket-at  strings, while a move is under way: the count it moves to, and how
--                 many of the old buckets it moved
--   format        string: the layout of these keys (FORMAT below), set when the store is
--                 created (op "buckets", or the log's first entry). A gateway refuses to
--                 start on a store without it or with another one: such a store was written
--                 by another build of uudai (see the op "format")
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
-- ob:<bucket> and sb:<bucket>, instead of `orders` and a key per shopper; 10: the store's
-- bucket count in `buckets`, 4,096, 65,536 or 1,048,576, where format 9 had 4,096). Set when
-- the store is created (op "buckets", or the log's first entry). A store in OLDER_FORMAT is
-- read too, as one of 4,096 buckets: it stays in that format, so that the build that wrote it
-- can still serve it, until it is moved to another count (redis_store_buckets.lua).
local FORMAT, OLDER_FORMAT = '10', '9'

local US, RS = '\31', '\30'

-- Set at the start of every call (a function gets its keys and arguments as parameters).
local ARGV, LOG, PREFIX
-- This store's bucket count (see bucket_place), read at the start of every call but a move's
-- (dispatch); nil for a store written before it was kept.
local bucket_count_now

local function key(name) return PREFIX .. name end

-- Live orders and shoppers' counts of live redemptions are kept in small hashes, `buckets` of
-- each (ob:<bucket>, sb:<bucket>), rather than in one large hash and in a key per shopper: Redis
-- keeps a hash of at most hash-max-listpack-entries (512 by default) fields and values of at
-- most hash-max-listpack-value (64) bytes as one listpack, about half the memory of a hash
-- table's entry and far less than a key of its own. But a listpack is searched field by field:
-- a lookup of a field it does not hold (every new order, every new shopper) reads all of it
-- (0.4 µs at 25 fields, 4 µs at 500), and past 512 fields the bucket turns into a hash table,
-- for good. So a store's bucket count is sized to its live redemptions, about 128 at most a
-- bucket: 4,096 up to ~500,000, 65,536 (a new store's default) up to ~8 million, 1,048,576
-- beyond. Fixed when the store is created (op "buckets"); a store written before the count
-- was kept (no `buckets` key) has OLDER_STORE_BUCKETS. A bucket is named by the first 3, 4 or
-- 5 hex digits of the SHA-1 of what it holds. Nothing longer than LISTPACK_VALUE goes into a
-- bucket:
-- a longer order key or shopper id is stored as "#" and its SHA-1 (no identifier holds a "#"),
-- and a shopper's counts that outgrow it go to a hash of their own (see read_counts).
local LISTPACK_VALUE = 64
local BUCKET_DIGITS = {['4096'] = 3, ['65536'] = 4, ['1048576'] = 5}
local NEW_STORE_BUCKETS, OLDER_STORE_BUCKETS = '65536', '4096'
-- The number of hex digits naming this store's buckets.
local function bucket_digits()
  local buckets = bucket_count_now or OLDER_STORE_BUCKETS
  local digits = BUCKET_DIGITS[buckets]
  if not digits then error('uudai: the store\'s bucket count ' .. buckets ..
                           ' is none of 4096, 65536, 1048576') end
  return digits
end
-- The key of the bucket of kind `kind` (ob, sb) named by the first `digits` of `digest`.
local function bucket_key(kind, digest, digits)
  return key(kind .. ':' .. string.sub(digest, 1, digits))
end
-- Where `text` is kept among buckets `kind`: the bucket's key and the field.
local function bucket_place(kind, text)
  local digest = redis.sha1hex(text)
  local field = text
  if #text > LISTPACK_VALUE then field = '#' .. digest end
  return bucket_key(kind, digest, bucket_digits()), field
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
