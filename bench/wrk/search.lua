-- Anonymous searches: GET /search?q= with one or two words drawn from the
-- synthetic forum's vocabulary (search-words.txt), so some queries are rare
-- and some match tens of thousands of posts, as real searches do.
package.path = (os.getenv("BENCH_LUA") or "bench/wrk") .. "/?.lua;" .. package.path
local common = require("common")

local words = common.lines((os.getenv("BENCH_LUA") or "bench/wrk") .. "/search-words.txt")

-- BENCH_SEARCH_UNIQUE=1 makes every address unique (an unused parameter
-- with a counter), so no search is answered from the page cache.
local unique = os.getenv("BENCH_SEARCH_UNIQUE") == "1"
local n = 0

function init(args)
  math.randomseed(os.time() + 7 * (tid or 0))
end

function request()
  local q = words[math.random(#words)]
  if math.random() < 0.5 then
    q = q .. "+" .. words[math.random(#words)]
  end
  if unique then
    n = n + 1
    q = q .. "&n=" .. (tid or 0) .. "-" .. n
  end
  return wrk.format("GET", "/search?q=" .. q)
end
