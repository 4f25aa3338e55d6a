-- Shared by the bench's wrk scripts: reads the bench's environment and prints
-- one machine-readable RESULT line when the run ends. Load it with
--   package.path = (os.getenv("BENCH_LUA") or "bench/wrk") .. "/?.lua;" .. package.path
--   local common = require("common")
local common = {}

-- Readers ask for gzip, as every browser does (GETs made with
-- wrk.format(method, path) carry wrk.headers). Set BENCH_GZIP=0 to measure
-- clients that do not.
if os.getenv("BENCH_GZIP") ~= "0" then
  wrk.headers["Accept-Encoding"] = "gzip"
end

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
local threads = {}
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  threads[#threads + 1] = thread
end

-- response counts, in each wrk thread, the answers that were not 2xx and
-- keeps the first one's status and body, so a run that was refused says why.
non2xx, first_status, first_body = 0, 0, ""
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_status == 0 then
      first_status, first_body = status, string.sub(body or "", 1, 1500)
    end
  end
end

-- done runs once, in the main state, after all threads finish. Latencies
-- are in microseconds; status_errors counts responses >= 400 (wrk's own
-- count), non2xx every answer outside 200-299 (response above).
function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local bad, status, body = 0, 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    if status == 0 and (t:get("first_status") or 0) ~= 0 then
      status, body = t:get("first_status"), t:get("first_body")
    end
  end
  io.write(string.format(
    "RESULT rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d requests=%d seconds=%.2f status_errors=%d socket_errors=%d bytes=%d non2xx=%d\n",
    summary.requests / secs, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests, secs, e.status, e.connect + e.read + e.write + e.timeout, summary.bytes, bad))
  if status ~= 0 then
    io.write(string.format("FIRST_REFUSAL status=%d body=%s\n", status, (string.gsub(body, "%s+", " "))))
  end
end

-- reply builds a POST /api/v1/threads/ID/posts with a bearer token, round
-- robin over members and threads, and a text and client_key no other
-- request of any run uses (BENCH_NONCE is unique per run and scenario), so
-- the forum's duplicate-text check never refuses one.
function common.replier(tokens, threads)
  local n = 0
  local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
  return function()
    n = n + 1
    local t = tid or 0
    local tok = tokens[(n + t) % #tokens + 1]
    local th = threads[(n * 7 + t) % #threads + 1]
    local body = string.format(
      '{"body":"Bench reply %d from wrk thread %d of run %s: restart the phone, then **reset network settings** under *Settings*.","client_key":"%s-%d-%d"}',
      n, t, nonce, nonce, t, n)
    return wrk.format("POST", "/api/v1/threads/" .. th .. "/posts",
      {["Authorization"] = "Bearer " .. tok, ["Content-Type"] = "application/json"}, body)
  end
end

return common
