-- GET the URL given to wrk, reporting through common.done.
package.path = (os.getenv("BENCH_LUA") or "bench/wrk") .. "/?.lua;" .. package.path
require("common")
