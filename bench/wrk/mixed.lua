-- 95% anonymous reads of popular thread pages, 5% replies by signed-in
-- members (BENCH_READS, BENCH_TOKENS, BENCH_THREADS as in reads.lua/post.lua).
package.path = (os.getenv("BENCH_LUA") or "bench/wrk") .. "/?.lua;" .. package.path
local common = require("common")

local paths, reply
function init(args)
  paths = common.lines(os.getenv("BENCH_READS"))
  reply = common.replier(common.split(os.getenv("BENCH_TOKENS")), common.split(os.getenv("BENCH_THREADS")))
  math.randomseed(os.time() + 1000 * (tid or 0))
end

function request()
  if math.random() < 0.05 then
    return reply()
  end
  return wrk.format("GET", paths[math.random(#paths)])
end
