-- quote.lua (POST /v1/checkout/quote, random 5-item carts) at a fixed rate: RATE requests/s
-- per wrk thread (bench/wrk/pacing.lua). Run from the repository root.
dofile("bench/wrk/quote.lua")
dofile("bench/wrk/pacing.lua")
delay = paced_delay(tonumber(os.getenv("RATE") or "1000"))
