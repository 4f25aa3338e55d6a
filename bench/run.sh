#!/usr/bin/env bash
# Load bench for Mutual, on loopback only.
#
# Builds Mutual, generates (once, then reuses) a synthetic community with
# `mutual gen`, starts Mutual on 127.0.0.1 with --post-interval 0 on a fresh
# copy of it, and drives it with wrk: home page, board list, thread page,
# thread JSON, posting replies (alone and beside readers), and a 95% read /
# 5% write mix. A bare net/http server serving the thread page's exact bytes
# from memory is measured the same way as the yardstick.
#
# Each wrk run is bounded: $DURATION (at most 15 s), $WRK_THREADS threads
# (2), $CONNS connections (32). Results go to bench/results/<time>.tsv
# (git-ignored) and to the terminal.
#
# Quick run:  THREADS=10000 POSTS=100000 DURATION=5s bench/run.sh
# Full run:   bench/run.sh            (100,000 threads / 1,000,000 posts)
# Medians:    ROUNDS=5 SCENARIOS="thread mixed" bench/run.sh
#             (the scenarios run ROUNDS times over, interleaved: all of them,
#             then all again; a table of each figure's median and range
#             follows, with the mix's share of the thread page per round)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
THREADS=${THREADS:-100000}
POSTS=${POSTS:-1000000}
SEED=${SEED:-1}
DURATION=${DURATION:-15s}
CONNS=${CONNS:-32}
WRK_THREADS=${WRK_THREADS:-2}
PORT=${PORT:-18080}
BASE_PORT=${BASE_PORT:-18081}
WORK=${BENCH_WORK:-/tmp/mutual-bench}
SCENARIOS=${SCENARIOS:-baseline home board thread thread_json search post post_readers mixed openloop}
# The open-loop scenario's rates: readers at half the thread page's
# closed-loop ceiling measured in this run (5,000/s when the thread scenario
# did not run), writers at 500 replies/s.
OPENLOOP_READ_RATE=${OPENLOOP_READ_RATE:-}
OPENLOOP_WRITE_RATE=${OPENLOOP_WRITE_RATE:-500}
OPENLOOP_WARMUP=${OPENLOOP_WARMUP:-10s} # offered first and reported on rows of their own (0s: none)
ROUNDS=${ROUNDS:-1}
HOST=127.0.0.1

secs=${DURATION%s}
if ! [[ $secs =~ ^[0-9]+$ ]] || ((secs < 1 || secs > 15)); then
	echo "DURATION must be 1s to 15s (got $DURATION)" >&2
	exit 2
fi
if ! [[ $ROUNDS =~ ^[0-9]+$ ]] || ((ROUNDS < 1 || ROUNDS > 20)); then
	echo "ROUNDS must be 1 to 20 (got $ROUNDS)" >&2
	exit 2
fi
if ! command -v wrk >/dev/null; then
	echo "wrk is not installed: apt-get install -y wrk" >&2
	exit 1
fi

mkdir -p "$WORK" "$ROOT/bench/results"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$ROOT/bench/results/$STAMP-${THREADS}t-${POSTS}p.tsv"
export BENCH_LUA="$ROOT/bench/wrk"

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT

echo "== build"
(cd "$ROOT" && go build -o "$WORK/mutual" . && go build -o "$WORK/baseline" ./bench/baseline && go build -o "$WORK/targets" ./bench/targets && go build -o "$WORK/openloop" ./bench/openloop)

PRISTINE="$WORK/pristine-$THREADS-$POSTS-$SEED"
if [[ ! -f $PRISTINE/generated ]]; then
	echo "== generate $THREADS threads / $POSTS posts (seed $SEED)"
	rm -rf "$PRISTINE"
	t0=$(date +%s.%N)
	"$WORK/mutual" gen --data "$PRISTINE" --threads "$THREADS" --posts "$POSTS" --seed "$SEED" | tee "$PRISTINE.gen.txt"
	GEN_SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "gen took ${GEN_SECS}s"
	for i in $(seq 1 16); do
		"$WORK/mutual" token create --data "$PRISTINE" --username "bench$i" --name bench
	done >"$PRISTINE/tokens.txt"
	echo "$GEN_SECS" >"$PRISTINE/gen-seconds"
	touch "$PRISTINE/generated"
fi
if [[ ! -f $PRISTINE/settled ]]; then
	# Settle the data as a running server would leave it: pending migrations
	# applied, the escalation detector's first pass (it escalates every old
	# unanswered thread) done, and the background catch-up over a bulk load
	# (every post's signals read, every thread grouped by the radar and
	# labelled with its language) finished. Otherwise every scenario's fresh
	# copy would start that catch-up again and measure it too: about three
	# minutes of a core at 1M posts.
	echo "== settle: start mutual once and wait for the escalation detector's first run and the background catch-up"
	"$WORK/mutual" serve --data "$PRISTINE" --addr "$HOST:$PORT" --no-demo >/dev/null 2>"$PRISTINE.settle.log" &
	spid=$!
	PIDS+=("$spid")
	t0=$(date +%s)
	until [[ $("$WORK/targets" --data "$PRISTINE" --job escalation-detector 2>/dev/null || echo 0) -ge 1 &&
		$("$WORK/targets" --data "$PRISTINE" --backlog 2>/dev/null || echo 1) -eq 0 ]]; do
		if (($(date +%s) - t0 > 1200)); then
			echo "the server did not settle within 20 minutes (backlog: $("$WORK/targets" --data "$PRISTINE" --backlog))" >&2
			exit 1
		fi
		sleep 5
	done
	kill -TERM "$spid"
	wait "$spid" || true
	echo "settled in $(($(date +%s) - t0))s: $("$WORK/targets" --data "$PRISTINE" --count) posts"
	touch "$PRISTINE/settled"
fi
TOKENS=$(paste -sd, "$PRISTINE/tokens.txt")

echo "== fresh copy of the database"
RUN="$WORK/run"
rm -rf "$RUN"
cp -rL "$PRISTINE" "$RUN" # -L: a linked data set is copied, never written through
# Written back before any scenario: a gigabyte left dirty in the page cache
# was flushed by the server's first sync of the database, which stalled the
# first scenario's writes for a second or more.
sync "$RUN"/*

SERVER_RUNS=0
# start_server starts Mutual on the run's database and waits until it
# answers; every scenario gets a fresh process, so its peak RSS is its own
# and no scenario inherits another's cache.
start_server() {
	SERVER_RUNS=$((SERVER_RUNS + 1))
	"$WORK/mutual" serve --data "$RUN" --addr "$HOST:$PORT" --post-interval 0 --no-demo >>"$WORK/server.out" 2>>"$WORK/server.log" &
	PID=$!
	PIDS+=("$PID")
	# Up to a minute: the first start on a copy applies any new migration
	# (an index over a million posts takes seconds).
	for _ in $(seq 1 600); do
		curl -fsS "http://$HOST:$PORT/healthz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "mutual did not start; see $WORK/server.log" >&2
	exit 1
}

stop_server() {
	kill -TERM "$PID"
	wait "$PID" || true
}

: >"$WORK/server.log"
start_server
eval "$("$WORK/targets" --data "$RUN" --reads "$WORK/reads.txt")"
export BENCH_TOKENS="$TOKENS" BENCH_THREADS="$WRITE_THREADS" BENCH_READS="$WORK/reads.txt"
echo "board $BOARD_PATH ($BOARD_THREADS threads), thread $THREAD_PATH (question + 20 replies)"

curl -fsS "http://$HOST:$PORT$THREAD_PATH" -o "$WORK/thread.html"
"$WORK/baseline" --addr "$HOST:$BASE_PORT" --file "$WORK/thread.html" 2>>"$WORK/baseline.log" &
BPID=$!
PIDS+=("$BPID")
for _ in $(seq 1 50); do
	curl -fsS "http://$HOST:$BASE_PORT/" >/dev/null 2>&1 && break
	sleep 0.1
done
cmp -s "$WORK/thread.html" <(curl -fsS "http://$HOST:$BASE_PORT$THREAD_PATH") || {
	echo "baseline does not serve the thread page's bytes" >&2
	exit 1
}

stop_server

# warm PATH...: one request each, as a running server would have had.
warm() {
	for p in "$@"; do
		curl -fsS "http://$HOST:$PORT$p" -o /dev/null
	done
}

status() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# What else is using the CPU as the run starts (the bench shares the two
# cores with whatever runs beside it), and the load averages.
BESIDE=$(top -b -n 2 -d 1 -w 200 | awk '/^top -/ { n++ } n == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 >= 5 { printf "%s %s%%; ", $12, $9 }')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

printf 'scenario\treq_per_s\tp50_ms\tp99_ms\trequests\tnon_2xx\tsocket_errors\tcommitted_per_s\tpeak_rss_mb\tload1\tnote\tothers_cpu_pct\tserver_cores\n' >"$RESULTS"

# What else ran beside each run: cpu_mark PID notes the machine's busy CPU
# time, the server's and this shell's children's (wrk's) before it;
# others_cpu PID prints the share of all CPUs that other processes used
# since (other people's builds and tests on a shared machine).
HZ=$(getconf CLK_TCK)
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 }' /proc/stat; } # user, nice, system: not the kernel's loopback work
proc_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
children_cpu() { times | awk -v hz="$HZ" 'NR == 2 { gsub(/[ms]/, " "); printf "%d", ($1 * 60 + $2 + $3 * 60 + $4) * hz }'; }
cpu_mark() { T0=("$(machine_busy)" "$(proc_cpu "$1")" "$(children_cpu)" "$(date +%s.%N)"); }
others_cpu() {
	awk -v b="$(machine_busy)" -v p="$(proc_cpu "$1")" -v k="$(children_cpu)" -v w="$(date +%s.%N)" \
		-v b0="${T0[0]}" -v p0="${T0[1]}" -v k0="${T0[2]}" -v w0="${T0[3]}" -v hz="$HZ" -v n="$(nproc)" \
		'BEGIN { o = (b - b0) - (p - p0) - (k - k0); if (o < 0) o = 0; printf "%.0f", 100 * o / ((w - w0) * hz * n) }'
}
# server_cores PID: the CPUs the server used on average since cpu_mark, so
# a table shows what a load costs as well as how it was served.
server_cores() {
	awk -v p="$(proc_cpu "$1")" -v w="$(date +%s.%N)" -v p0="${T0[1]}" -v w0="${T0[3]}" -v hz="$HZ" \
		'BEGIN { printf "%.2f", (p - p0) / ((w - w0) * hz) }'
}

# run NAME PID URL SCRIPT [NOTE]: one bounded wrk run; PID's peak RSS is
# reset before and read after (VmHWM).
run() {
	local name=$1 pid=$2 url=$3 script=$4 note=${5:-}
	local before after out
	echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true
	before=$("$WORK/targets" --data "$RUN" --count)
	export BENCH_NONCE="$name-$(date +%s%N)"
	cpu_mark "$pid"
	out=$(timeout 60 wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --timeout 5s -s "$BENCH_LUA/$script" "$url")
	OTHERS=$(others_cpu "$pid") SERVER_CORES=$(server_cores "$pid")
	after=$("$WORK/targets" --data "$RUN" --count)
	record "$name" "$pid" "$out" "$before" "$after" "$note"
}

FAILED=()
# record NAME PID WRK-OUTPUT POSTS-BEFORE POSTS-AFTER NOTE: one result line.
# A scenario with more than 1% of its requests answered outside 2xx (or
# lost to socket errors) fails the run, and its first refusal is printed.
record() {
	local name=$1 pid=$2 out=$3 before=$4 after=$5 note=$6
	local line rps p50 p99 reqs serr kerr bad secs hwm committed=-
	line=$(grep '^RESULT' <<<"$out")
	rps=$(grep -o 'rps=[0-9.]*' <<<"$line" | cut -d= -f2)
	p50=$(grep -o 'p50_us=[0-9]*' <<<"$line" | cut -d= -f2)
	p99=$(grep -o 'p99_us=[0-9]*' <<<"$line" | cut -d= -f2)
	reqs=$(grep -o 'requests=[0-9]*' <<<"$line" | cut -d= -f2)
	serr=$(grep -o 'status_errors=[0-9]*' <<<"$line" | cut -d= -f2)
	kerr=$(grep -o 'socket_errors=[0-9]*' <<<"$line" | cut -d= -f2)
	bad=$(grep -o 'non2xx=[0-9]*' <<<"$line" | cut -d= -f2)
	secs=$(grep -o 'seconds=[0-9.]*' <<<"$line" | cut -d= -f2)
	if ((after > before)); then
		committed=$(awk -v n=$((after - before)) -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
	fi
	if awk -v b="${bad:-0}" -v k="${kerr:-0}" -v r="${reqs:-0}" 'BEGIN { exit !(r == 0 || (b + k) / (r + k) > 0.01) }'; then
		FAILED+=("$name")
		note="FAILED: ${bad:-?} of ${reqs:-0} answers not 2xx, ${kerr:-?} socket errors${note:+; $note}"
		echo "!! $name: more than 1% of requests failed ($bad not 2xx, $kerr socket errors of $reqs)" >&2
		grep '^FIRST_REFUSAL' <<<"$out" | cut -c1-1600 >&2 || true
	fi
	hwm=$(status "$pid" VmHWM)
	awk -v OFS='\t' -v name="$name" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v reqs="$reqs" -v serr="$bad" -v kerr="$kerr" \
		-v com="$committed" -v hwm="$hwm" -v load="$(cut -d' ' -f1 /proc/loadavg)" -v note="$note" -v others="${OTHERS:-}" \
		-v cores="${SERVER_CORES:-}" \
		'BEGIN { print name, rps, sprintf("%.2f", p50 / 1000), sprintf("%.2f", p99 / 1000), reqs, serr, kerr, com, sprintf("%.1f", hwm / 1024), load, note, others, cores }' |
		tee -a "$RESULTS"
}

# scenario runs one scenario on a fresh server (the baseline on its own).
scenario() {
	local s=$1
	case $s in
	baseline) run baseline "$BPID" "http://$HOST:$BASE_PORT$THREAD_PATH" get.lua "net/http serving the thread page bytes from memory" ;;
	home | board | thread | thread_json | search | post | mixed)
		start_server
		case $s in
		home) warm / && run home "$PID" "http://$HOST:$PORT/" get.lua ;;
		board) warm "$BOARD_PATH" && run board "$PID" "http://$HOST:$PORT$BOARD_PATH" get.lua "page 1 of a board with $BOARD_THREADS threads" ;;
		thread) warm "$THREAD_PATH" && run thread "$PID" "http://$HOST:$PORT$THREAD_PATH" get.lua "anonymous, question + 20 replies" ;;
		thread_json) warm "/api/v1/threads/$THREAD_ID" && run thread_json "$PID" "http://$HOST:$PORT/api/v1/threads/$THREAD_ID" get.lua ;;
		search)
			# A running server has read its common words' lists: one API
			# search per word (the API is not page-cached, so no page is).
			while read -r w; do warm "/api/v1/search?q=$w"; done <"$BENCH_LUA/search-words.txt"
			run search "$PID" "http://$HOST:$PORT/" search.lua "anonymous /search?q=, one or two of 30 words: 930 distinct queries"
			;;
		post) run post "$PID" "http://$HOST:$PORT/" post.lua "16 members' bearer tokens, round robin over $(tr ',' '\n' <<<"$WRITE_THREADS" | wc -l) threads" ;;
		mixed) run mixed "$PID" "http://$HOST:$PORT/" mixed.lua "95% thread pages (1000 most viewed), 5% replies" ;;
		esac
		stop_server
		;;
	post_readers)
		# Writers and readers at once: one wrk thread and half the
		# connections each, so the bound (2 threads, $CONNS connections) holds.
		start_server
		echo 5 >"/proc/$PID/clear_refs" 2>/dev/null || true
		before=$("$WORK/targets" --data "$RUN" --count)
		export BENCH_NONCE="post_readers-$(date +%s%N)"
		cpu_mark "$PID"
		timeout 60 wrk -t1 -c$((CONNS / 2)) -d"$DURATION" --timeout 5s -s "$BENCH_LUA/reads.lua" "http://$HOST:$PORT/" >"$WORK/readers.out" &
		rpid=$!
		wout=$(timeout 60 wrk -t1 -c$((CONNS / 2)) -d"$DURATION" --timeout 5s -s "$BENCH_LUA/post.lua" "http://$HOST:$PORT/")
		wait "$rpid"
		OTHERS=$(others_cpu "$PID") SERVER_CORES=$(server_cores "$PID")
		after=$("$WORK/targets" --data "$RUN" --count)
		record post_with_readers "$PID" "$wout" "$before" "$after" "writers: 1 wrk thread, $((CONNS / 2)) conns"
		record readers_with_posts "$PID" "$(cat "$WORK/readers.out")" 0 0 "readers of the 1000 most viewed threads beside the writers"
		stop_server
		;;
	openloop)
		# Readers and writers offered at fixed rates (bench/openloop): a
		# request waits for nothing but the server, and its latency counts
		# from when it was due. Readers of the 1,000 most viewed threads
		# (every page read once first), writers replying to the 64 most read.
		rate=$OPENLOOP_READ_RATE
		if [[ -z $rate ]]; then
			rate=$(awk -F'\t' '$1 == "thread" && $11 !~ /^FAILED/ { r = int($2 / 2) } END { if (r) print r }' "$RESULTS")
			rate=${rate:-5000}
		fi
		hot=$(head -64 "$WORK/reads.txt" | cut -d/ -f3 | paste -sd,)
		start_server
		"$WORK/openloop" --url "http://$HOST:$PORT" --reads "$WORK/reads.txt" --read-rate 1 --write-rate 0 --duration 1s >/dev/null # warms the pages
		echo 5 >"/proc/$PID/clear_refs" 2>/dev/null || true
		before=$("$WORK/targets" --data "$RUN" --count)
		cpu_mark "$PID"
		out=$(timeout 60 "$WORK/openloop" --url "http://$HOST:$PORT" --reads "$WORK/reads.txt" --warm=false --read-rate "$rate" \
			--write-rate "$OPENLOOP_WRITE_RATE" --tokens "$TOKENS" --threads "$hot" --nonce "openloop-$(date +%s%N)" \
			--warmup "$OPENLOOP_WARMUP" --duration "$DURATION")
		OTHERS=$(others_cpu "$PID") SERVER_CORES=$(server_cores "$PID")
		after=$("$WORK/targets" --data "$RUN" --count)
		acked() { # replies acknowledged on one line of the writers' stream
			local l
			l=$(grep "^$1 stream=writers" <<<"$out") || { echo 0; return; }
			echo $(($(grep -o ' requests=[0-9]*' <<<"$l" | cut -d= -f2) - $(grep -o ' non2xx=[0-9]*' <<<"$l" | cut -d= -f2)))
		}
		warm_acked=$(acked WARMUP) acked=$(acked RESULT)
		# The warm-up's lines, as rows of their own: the same load's first
		# seconds, which the 1% rule holds to as well.
		lines() { grep -E "^$1 stream=$2|^FIRST_REFUSAL stream=$2 in=$1" <<<"$out" | sed "s/^$1 /RESULT /"; }
		# A stream offered at rate 0 (OPENLOOP_READ_RATE or
		# OPENLOOP_WRITE_RATE), to measure the other alone, has no rows.
		if ((OPENLOOP_WRITE_RATE > 0)); then
			if [[ $OPENLOOP_WARMUP != 0s ]]; then
				record openloop_warmup_writers "$PID" "$(lines WARMUP writers)" 0 0 \
					"open loop, its first $OPENLOOP_WARMUP (not in the rows below): $OPENLOOP_WRITE_RATE replies/s"
			fi
			record openloop_writers "$PID" "$(lines RESULT writers)" "$((before + warm_acked))" "$after" \
				"open loop after its first $OPENLOOP_WARMUP: $OPENLOOP_WRITE_RATE replies/s offered to the 64 most read threads; $((after - before)) committed of $((warm_acked + acked)) acknowledged in all"
		fi
		if ((rate > 0)); then
			if [[ $OPENLOOP_WARMUP != 0s ]]; then
				record openloop_warmup_readers "$PID" "$(lines WARMUP readers)" 0 0 \
					"open loop, its first $OPENLOOP_WARMUP (not in the rows below): $rate page reads/s"
			fi
			record openloop_readers "$PID" "$(lines RESULT readers)" 0 0 \
				"open loop after its first $OPENLOOP_WARMUP: $rate page reads/s offered (1000 most viewed threads)"
		fi
		stop_server
		;;
	*) echo "unknown scenario $s" >&2 ;;
	esac
}

for ((round = 1; round <= ROUNDS; round++)); do
	if ((ROUNDS > 1)); then echo "== round $round of $ROUNDS"; fi
	for s in $SCENARIOS; do
		scenario "$s"
	done
done

# The ratio table: every scenario against the bare net/http baseline.
echo
echo "== each scenario against the baseline (net/http serving the thread page's bytes from memory)"
awk -F'\t' '
	NR == 1 { next }
	$1 == "baseline" { base = $2 }
	{ name[++n] = $1; rps[n] = $2; p99[n] = $4; com[n] = $8; rss[n] = $9; note[n] = $11; oth[n] = $12; cores[n] = $13 }
	END {
		print "| scenario | req/s | share of baseline | p99 ms | committed replies/s | peak RSS MB | server CPUs | CPU used by others |"
		print "|---|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= n; i++) {
			share = (base > 0 && note[i] !~ /^FAILED/) ? sprintf("%.3f", rps[i] / base) : "-"
			if (note[i] ~ /^FAILED/) share = "FAILED"
			printf "| %s | %s | %s | %s | %s | %s | %s | %s%% |\n", name[i], rps[i], share, p99[i], (com[i] == "-" ? "" : com[i]), rss[i], cores[i], oth[i]
		}
	}' "$RESULTS" | tee "$RESULTS.md"
if ((ROUNDS > 1)); then
	echo
	echo "== the median (and range) of each figure over $ROUNDS rounds"
	awk -F'\t' '
		# median returns the median of v[1..m] and leaves its range in lo and hi.
		function median(v, m,   i, j, t, a) {
			for (i = 1; i <= m; i++) a[i] = v[i]
			for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			lo = a[1]; hi = a[m]
			return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
		}
		function col(k, f, out,   i) { for (i = 1; i <= cnt[k]; i++) out[i] = val[k, i, f] }
		NR == 1 { next }
		{
			if (!($1 in id)) { id[$1] = ++n; name[n] = $1 }
			k = id[$1]; c = ++cnt[k]
			val[k, c, 2] = $2; val[k, c, 4] = $4; val[k, c, 8] = ($8 == "-" ? 0 : $8); val[k, c, 9] = $9; val[k, c, 13] = $13
			if ($11 ~ /^FAILED/) failed[k]++
		}
		END {
			print "| scenario | rounds | req/s | req/s range | share of baseline | p99 ms | p99 range | committed replies/s | peak RSS MB | server CPUs |"
			print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
			base = 0
			if ("baseline" in id) { delete v; col(id["baseline"], 2, v); base = median(v, cnt[id["baseline"]]) }
			for (k = 1; k <= n; k++) {
				m = cnt[k]
				delete v; col(k, 2, v); rps = median(v, m); rlo = lo; rhi = hi
				delete v; col(k, 4, v); p99 = median(v, m); plo = lo; phi = hi
				delete v; col(k, 8, v); com = median(v, m)
				delete v; col(k, 9, v); rss = median(v, m)
				delete v; col(k, 13, v); cores = median(v, m)
				share = (base > 0) ? sprintf("%.3f", rps / base) : "-"
				if (failed[k]) share = "FAILED in " failed[k]
				printf "| %s | %d | %.1f | %s–%s | %s | %.2f | %s–%s | %s | %.1f | %.2f |\n", name[k], m, rps, rlo, rhi, share, p99, plo, phi,
					(com > 0 ? sprintf("%.1f", com) : ""), rss, cores
			}
			if (("thread" in id) && ("mixed" in id)) {
				t = id["thread"]; x = id["mixed"]; m = (cnt[t] < cnt[x]) ? cnt[t] : cnt[x]
				line = ""
				for (i = 1; i <= m; i++) { r[i] = val[x, i, 2] / val[t, i, 2]; line = line sprintf("%s%.1f%%", (i > 1 ? ", " : ""), 100 * r[i]) }
				printf "\nmixed / thread page, round by round: %s; median %.1f%%\n", line, 100 * median(r, m)
			}
		}' "$RESULTS" | tee -a "$RESULTS.md"
fi
{
	echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ { printf "%.1f GiB", $2/1048576 }' /proc/meminfo)"
	echo "# data: $THREADS threads / $POSTS posts, seed $SEED, gen seconds: $(cat "$PRISTINE/gen-seconds")"
	echo "# code: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$( [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] && echo ' plus uncommitted changes')"
	echo "# wrk: $WRK_THREADS threads, $CONNS connections, $DURATION per run; server: mutual serve --post-interval 0 (default log level, logs to a file), a fresh process per scenario ($SERVER_RUNS starts)"
	echo "# server log lines: $(wc -l <"$WORK/server.log")"
	echo "# beside the bench: load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; using 5% of a CPU or more as it started: ${BESIDE:-nothing}"
} | tee -a "$RESULTS"
echo "results: $RESULTS (table: $RESULTS.md)"
if ((${#FAILED[@]} > 0)); then
	echo "FAILED: ${FAILED[*]}: more than 1% of their requests were not answered 2xx (first refusal printed above)" >&2
	exit 1
fi
