-- Shared by the bench's wrk scripts: reads the bench's environment and prints
-- one machine-readable RESULT line when the run ends. Load it with
--   package.path = (os.getenv("BENCH_LUA") or "bench/wrk") .. "/?.lua;" .. package.path
--   local common = require("common")
local common = {}

-- split turns "a,b,c" into {"a", "b", "c"}.
function common.split(s)
  local out = {}
  for item in string.gmatch(s or "", "[^,]+") do
    out[#out + 1] = item
  end
  return out
end

-- lines reads a file into a list of non-empty lines.
function common.lines(path)
  local out = {}
  if path == nil or path == "" then return out end
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

-- Every wrk thread gets its number, for distinct client keys and offsets.
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

-- done runs once, in the main state, after all threads finish. Latencies
-- are in microseconds; status_errors counts responses >= 400.
function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d requests=%d seconds=%.2f status_errors=%d socket_errors=%d bytes=%d\n",
    summary.requests / secs, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests, secs, e.status, e.connect + e.read + e.write + e.timeout, summary.bytes))
end

-- reply builds a POST /api/v1/threads/ID/posts with a bearer token, round
-- robin over members and threads, and a client_key no other request uses.
function common.replier(tokens, threads)
  local n = 0
  local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
  return function()
    n = n + 1
    local t = tid or 0
    local tok = tokens[(n + t) % #tokens + 1]
    local th = threads[(n * 7 + t) % #threads + 1]
    local body = string.format(
      '{"body":"Bench reply %d from wrk thread %d: restart the phone, then **reset network settings** under *Settings*.","client_key":"%s-%d-%d"}',
      n, t, nonce, t, n)
    return wrk.format("POST", "/api/v1/threads/" .. th .. "/posts",
      {["Authorization"] = "Bearer " .. tok, ["Content-Type"] = "application/json"}, body)
  end
end

return common
