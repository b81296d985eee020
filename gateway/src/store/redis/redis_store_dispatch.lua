-- Dispatch ------------------------------------------------------------------------------------
-- The operations, by the name a call passes first in ARGV.

local OPS = {
  offer_put = offer_put,
  offers_stage = offers_stage,
  offers_commit = offers_commit,
  offers_announce = offers_announce,
  offers_unstage = offers_unstage,
  issue_codes = issue_codes,
  create = create,
  refusal = refusal,
  replay = replay,
  live_order = live_order,
  transition = function() return transition(ARGV[2], ARGV[3], ARGV[4]) end,
  expire_due = expire_due,
  ledger_page = ledger_page,
  format = format,
  buckets = buckets,
  bucket_fill = bucket_fill,
  rebucket_begin = rebucket_begin,
  rebucket_move = rebucket_move,
  reader_register = reader_register,
  reader_heartbeat = reader_heartbeat,
  reader_leave = reader_leave,
  scan = scan,
  events_page = events_page,
  offer_history = offer_history,
  webhook_create = webhook_create,
  webhook_delete = webhook_delete,
  webhook_attempt = webhook_attempt,
  webhook_rewind = webhook_rewind,
  webhook_lease = webhook_lease,
  webhooks_list = webhooks_list,
  webhook_deliveries = webhook_deliveries,
  hold = hold,
  hold_confirm = hold_confirm,
  hold_release = hold_release,
  holds_due = holds_due,
  claim = claim,
  outbox_due = outbox_due,
  outbox_done = outbox_done,
  events_since = events_since,
  events_merged = events_merged,
  events_merge = events_merge,
  merge_lease = merge_lease,
  share_put = share_put,
  share_versions = share_versions,
}

-- The operations that only read, also registered as NAME_ro with the flag 'no-writes': Redis
-- runs that one (FCALL_RO) on replicas and while over maxmemory, when it refuses NAME.
local READ_ONLY_OPS = {
  replay = replay,
  live_order = live_order,
  ledger_page = ledger_page,
  format = format,
  bucket_fill = bucket_fill,
  scan = scan,
  events_page = events_page,
  offer_history = offer_history,
  webhooks_list = webhooks_list,
  webhook_deliveries = webhook_deliveries,
  events_since = events_since,
  events_merged = events_merged,
  share_versions = share_versions,
}

-- On a Redis Cluster, while the store's slot is being migrated from one primary to another,
-- some of its keys are on one and the rest on the other: a call would read part of the state,
-- and a write would stop half-way at the first key that has left. Two keys that never exist
-- tell: EXISTS of two missing keys of a migrating slot is refused on both primaries (ASK on
-- the source, TRYAGAIN on the target, reported inside a script as an error), so a call answers
-- TRYAGAIN before it reads or writes anything, and the gateway sends it again. On a single
-- Redis, and on a cluster whose slot is stable, both keys are just missing. A Redis that is not
-- part of a cluster is not probed: whether it is one is read on the library's first call and
-- kept (cluster mode is set at Redis's start, and a restart loads the library again).
local in_cluster
local function slot_migrating()
  if in_cluster == nil then
    in_cluster = string.find(redis.call('INFO', 'cluster'), 'cluster_enabled:1', 1, true) ~= nil
  end
  if not in_cluster then return nil end
  local probe = redis.pcall('EXISTS', PREFIX .. 'migration-probe:1', PREFIX .. 'migration-probe:2')
  if type(probe) == 'table' and probe.err ~= nil then return probe.err end
  return nil
end

-- The operations that run while the store is being moved to another bucket count
-- (redis_store_buckets.lua); every other one is refused then, before it reads or writes
-- anything, so that nothing reads or writes a bucket that is on its way to another.
local MOVE_OPS = {buckets = true, rebucket_begin = true, rebucket_move = true, format = true}

local function dispatch(ops, keys, args)
  ARGV, LOG = args, keys[1]
  PREFIX = string.sub(LOG, 1, #LOG - 3)
  bucket_count_now = nil
  local op = ops[args[1]]
  if not op then return redis.error_reply('ERR uudai: unknown operation ' .. tostring(args[1])) end
  local migrating = slot_migrating()
  if migrating then
    return redis.error_reply('TRYAGAIN uudai: the store\'s slot is being migrated (' .. migrating .. ')')
  end
  if not MOVE_OPS[args[1]] then
    local store = redis.call('MGET', PREFIX .. 'buckets', PREFIX .. 'rebucket')
    if store[2] then
      return refuse('store_unavailable', 'the store is being moved to ' .. store[2] ..
                    ' buckets: it answers again once uudai redis-rebucket has finished')
    end
    bucket_count_now = store[1] or nil
  end
  return op()
end

redis.register_function(NAME, function(keys, args) return dispatch(OPS, keys, args) end)
redis.register_function{
  function_name = NAME .. '_ro',
  callback = function(keys, args) return dispatch(READ_ONLY_OPS, keys, args) end,
  flags = {'no-writes'},
}
