-- Anonymous readers: GET a random thread page from BENCH_READS (a file of
-- paths, the most viewed threads).
package.path = (os.getenv("BENCH_LUA") or "bench/wrk") .. "/?.lua;" .. package.path
local common = require("common")

local paths
function init(args)
  paths = common.lines(os.getenv("BENCH_READS"))
  math.randomseed(os.time() + (tid or 0))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
