-- Webhooks ------------------------------------------------------------------------------------
-- A webhook's line (`wh`) is written once; what moves is its progress (`whp`: delivered_through
-- US rewinds). Neither goes through the log: no view keeps webhooks, every gateway reads them
-- here (webhooks_list). Every reply about one webhook carries its line and its progress.

local function unknown_webhook(id)
  return refuse('not_found', 'webhook ' .. id .. ' does not exist')
end

-- Webhook `id`'s line and its progress split into {through, rewinds}; nil when it does not exist.
local function webhook(id)
  local line = redis.call('HGET', key('wh'), id)
  if not line then return nil end
  local progress = redis.call('HGET', key('whp'), id) or ('0' .. US .. '0')
  return line, split(progress, US)
end

-- {'ok', ..., line, progress}: the reply about a webhook.
local function webhook_reply(line, progress)
  return {'ok', '', '', '', '', line, progress[1] .. US .. progress[2]}
end

-- ARGV: op, id, line (the webhook without progress). Registers it from the events' present on:
-- delivered_through is the last event written. Payload: that seq.
local function webhook_create()
  local id = ARGV[2]
  if redis.call('HEXISTS', key('wh'), id) == 1 then
    return refuse('already_exists', 'webhook ' .. id .. ' already exists')
  end
  local through = redis.call('GET', key('evseq')) or '0'
  redis.call('HSET', key('wh'), id, ARGV[3])
  redis.call('HSET', key('whp'), id, through .. US .. '0')
  return {'ok', '', '', '', '', through}
end

-- ARGV: op, id. Removes the webhook, its delivery log and its lease. Payload: the webhook as
-- it was.
local function webhook_delete()
  local id = ARGV[2]
  local line, progress = webhook(id)
  if not line then return unknown_webhook(id) end
  redis.call('HDEL', key('wh'), id)
  redis.call('HDEL', key('whp'), id)
  redis.call('DEL', key('wha:' .. id), key('whl:' .. id))
  return webhook_reply(line, progress)
end

-- ARGV: op, id, rewinds (as the deliverer read them), the attempt's line, its event seq,
-- settles ("1" when delivered or given up), log length. Logs the attempt, keeping the latest
-- `log length`; a settled attempt moves delivered_through up to its seq (never down) unless
-- the webhook was rewound since the deliverer read it. Payload: the webhook after it.
local function webhook_attempt()
  local id, seen, seq = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[5])
  local line, progress = webhook(id)
  if not line then return unknown_webhook(id) end
  local attempts = key('wha:' .. id)
  redis.call('LPUSH', attempts, ARGV[4])
  redis.call('LTRIM', attempts, 0, tonumber(ARGV[7]) - 1)
  if ARGV[6] == '1' and seen == tonumber(progress[2]) and seq > tonumber(progress[1]) then
    progress[1] = ARGV[5]
    redis.call('HSET', key('whp'), id, progress[1] .. US .. progress[2])
  end
  return webhook_reply(line, progress)
end

-- ARGV: op, id, through. A redeliver: delivered_through := through, one rewind more. Payload:
-- the webhook after it.
local function webhook_rewind()
  local id = ARGV[2]
  local line, progress = webhook(id)
  if not line then return unknown_webhook(id) end
  progress[1], progress[2] = ARGV[3], int(tonumber(progress[2]) + 1)
  redis.call('HSET', key('whp'), id, progress[1] .. US .. progress[2])
  return webhook_reply(line, progress)
end

-- ARGV: op, id, owner, lease (ms, > 0). Takes the lease when nobody holds it (or it expired),
-- renews it when `owner` holds it. Payload: "1" when `owner` holds it now, else "0".
local function webhook_lease()
  local id, owner = ARGV[2], ARGV[3]
  if redis.call('HEXISTS', key('wh'), id) == 0 then return unknown_webhook(id) end
  local lease = key('whl:' .. id)
  local holder = redis.call('GET', lease)
  if not holder then
    redis.call('SET', lease, owner, 'PX', ARGV[4])
  elseif holder == owner then
    redis.call('PEXPIRE', lease, ARGV[4])
  else
    return {'ok', '', '', '', '', '0'}
  end
  return {'ok', '', '', '', '', '1'}
end

-- ARGV: op. Payload: every webhook's line and progress. Writes nothing.
local function webhooks_list()
  local reply = {'ok', '', '', '', ''}
  local progress = {}
  local stored = redis.call('HGETALL', key('whp'))
  for i = 1, #stored, 2 do progress[stored[i]] = stored[i + 1] end
  local all = redis.call('HGETALL', key('wh'))
  for i = 1, #all, 2 do
    reply[#reply + 1] = all[i + 1]
    reply[#reply + 1] = progress[all[i]] or ('0' .. US .. '0')
  end
  return reply
end

-- ARGV: op, id, limit. Payload: its latest attempts' lines, newest first, at most `limit`.
-- Writes nothing.
local function webhook_deliveries()
  local id, limit = ARGV[2], tonumber(ARGV[3])
  if redis.call('HEXISTS', key('wh'), id) == 0 then return unknown_webhook(id) end
  local reply = {'ok', '', '', '', ''}
  if limit < 1 then return reply end
  for _, line in ipairs(redis.call('LRANGE', key('wha:' .. id), 0, limit - 1)) do
    reply[#reply + 1] = line
  end
  return reply
end

