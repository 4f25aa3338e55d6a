-- Signed-in members post replies through the JSON API: bearer tokens from
-- BENCH_TOKENS and thread ids from BENCH_THREADS (both comma-separated).
package.path = (os.getenv("BENCH_LUA") or "bench/wrk") .. "/?.lua;" .. package.path
local common = require("common")

local reply
function init(args)
  reply = common.replier(common.split(os.getenv("BENCH_TOKENS")), common.split(os.getenv("BENCH_THREADS")))
end

function request()
  return reply()
end
