-- Ledger pages, the store's format, the log's readers, events ---------------------------------

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

-- ARGV: op, start, stop (0 = the ledger's end now), count. Reads ledger positions
-- [start, min(stop, start + count)). Payload: the stop used, then for each position its id and
-- its record. Writes nothing.
local function ledger_page()
  local start, stop, count = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  local size = redis.call('LLEN', key('ledger'))
  if stop == 0 or stop > size then stop = size end
  local reply = {'ok', '', '', '', '', tostring(stop)}
  local last = math.min(stop, start + count) - 1
  if last >= start then append_records(reply, start, last) end
  return reply
end

-- ARGV: op. Payload: this library's FORMAT, the store's format ("" when it has none), the
-- number of entries ever written to the log, and the older format this library reads too.
-- Writes nothing.
local function format()
  local stored = redis.call('GET', key('format')) or ''
  local written = redis.call('GET', key('seq')) or tostring(redis.call('XLEN', LOG))
  return {'ok', '', '', '', '', FORMAT, stored, written, OLDER_FORMAT}
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
