-- Anonymous searches: GET /search?q= with one or two words drawn from the
-- synthetic forum's vocabulary, so some queries are rare and some match
-- tens of thousands of posts, as real searches do.
package.path = (os.getenv("BENCH_LUA") or "bench/wrk") .. "/?.lua;" .. package.path
require("common")

local words = {"voicemail", "roaming", "hotspot", "refund", "esim", "apn", "pac", "outage", "morocco", "pixel",
  "fairphone", "smartwatch", "provisioned", "imei", "glasgow", "cardiff", "debit", "unlock", "forwarding", "mms",
  "spending", "family", "contract", "porting", "coverage", "airplane", "replacement", "pending", "carrier", "signal"}

function init(args)
  math.randomseed(os.time() + 7 * (tid or 0))
end

function request()
  local q = words[math.random(#words)]
  if math.random() < 0.5 then
    q = q .. "+" .. words[math.random(#words)]
  end
  return wrk.format("GET", "/search?q=" .. q)
end
