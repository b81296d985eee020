-- Open-loop pacing for wrk (which has no rate option): paced_delay(rate) returns a delay()
-- hook that hands out send slots 1/rate seconds apart to whichever connection of the thread
-- asks next, so the thread sends `rate` requests/s as long as it has a connection free (the
-- latency wrk reports excludes the wait). A thread that fell behind catches up for at most
-- one second's worth of slots. Uses LuaJIT's ffi for a millisecond clock (os.time() counts
-- seconds). Load with dofile("bench/wrk/pacing.lua") from the repository root.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } pacing_timespec;
  int clock_gettime(int clock_id, pacing_timespec* ts);
]]
local now = ffi.new("pacing_timespec")
local CLOCK_MONOTONIC = 1

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
  return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
end

function paced_delay(rate)
  local gap = 1000 / rate
  local next_slot = nil
  return function()
    local t = now_ms()
    if next_slot == nil or next_slot < t - 1000 then next_slot = t end
    local wait = next_slot - t
    next_slot = next_slot + gap
    if wait <= 0 then return 0 end
    return math.floor(wait)
  end
end
