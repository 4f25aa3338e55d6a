#!/usr/bin/env bash
# PostgreSQL variant of the load bench: two Mutual instances on one
# PostgreSQL (fsync on), driven at once through both, on loopback only.
#
# Scenarios: the anonymous thread page (question + 20 replies) and posting
# replies with bearer tokens, each as two wrk processes (one per instance,
# 1 thread and CONNS/2 connections each, so the bound of 2 threads and
# $CONNS connections holds). Committed replies are counted in PostgreSQL.
# Needs bench/run.sh to have generated its SQLite community first (same
# seed, so the same ids): the thread and write targets come from it.
#
# Run: bench/pg.sh            (100,000 threads / 1,000,000 posts)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
THREADS=${THREADS:-100000}
POSTS=${POSTS:-1000000}
SEED=${SEED:-1}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
WORK=${BENCH_WORK:-/tmp/mutual-bench}
PGPORT=${PGPORT:-55433}
HOST=127.0.0.1
PORTS=(18090 18091)
export BENCH_LUA="$ROOT/bench/wrk"

PRISTINE="$WORK/pristine-$THREADS-$POSTS-$SEED"
[[ -f $PRISTINE/settled ]] || { echo "run bench/run.sh first (THREADS=$THREADS POSTS=$POSTS) to generate the SQLite twin" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== build"
(cd "$ROOT" && go build -o "$WORK/mutual" . && go build -o "$WORK/targets" ./bench/targets)

echo "== PostgreSQL on $HOST:$PGPORT (fsync on)"
eval "$(cd "$ROOT" && MUTUAL_PG_PORT=$PGPORT MUTUAL_PG_FSYNC=on .ci/pg-start)"
ADMIN=$MUTUAL_TEST_POSTGRES
DBNAME="bench_${THREADS}_${POSTS}_${SEED}"
URL="postgres://postgres@$HOST:$PGPORT/$DBNAME?sslmode=disable"
psqlq() { psql "$URL" -Atqc "$1"; }
if ! psql "$ADMIN" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" | grep -q 1; then
	psql "$ADMIN" -qc "CREATE DATABASE $DBNAME"
fi
if [[ $(psqlq "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'threads'") == 0 ]] ||
	[[ $(psqlq "SELECT COUNT(*) FROM threads") != "$THREADS" ]]; then
	echo "== generate $THREADS threads / $POSTS posts in PostgreSQL"
	t0=$(date +%s)
	"$WORK/mutual" gen --db "$URL" --data "$WORK/pgdata" --threads "$THREADS" --posts "$POSTS" --seed "$SEED"
	echo "gen took $(($(date +%s) - t0))s"
fi
: >"$WORK/pg-tokens.txt"
for i in $(seq 1 16); do
	"$WORK/mutual" token create --db "$URL" --data "$WORK/pgdata" --username "bench$i" --name pgbench >>"$WORK/pg-tokens.txt"
done
eval "$("$WORK/targets" --data "$PRISTINE")"
export BENCH_TOKENS=$(paste -sd, "$WORK/pg-tokens.txt") BENCH_THREADS="$WRITE_THREADS"

for port in "${PORTS[@]}"; do
	"$WORK/mutual" serve --db "$URL" --data "$WORK/pgdata" --addr "$HOST:$port" --post-interval 0 --no-demo --job-interval 0 \
		>>"$WORK/pg-server.out" 2>>"$WORK/pg-server.log" &
	PIDS+=("$!")
done
for port in "${PORTS[@]}"; do
	for _ in $(seq 1 100); do curl -fsS "http://$HOST:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
	curl -fsS "http://$HOST:$port$THREAD_PATH" -o /dev/null
done

mkdir -p "$ROOT/bench/results"
RESULTS="$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-pg-2x-${THREADS}t-${POSTS}p.tsv"
printf 'scenario\treq_per_s\tp50_ms_a\tp50_ms_b\tp99_ms_a\tp99_ms_b\tcommitted_per_s\tpeak_rss_mb_a\tpeak_rss_mb_b\tnote\n' >"$RESULTS"
field() { grep -o "$2=[0-9.]*" <<<"$1" | cut -d= -f2; }

# pair NAME SCRIPT PATH: one wrk per instance at once.
pair() {
	local name=$1 script=$2 path=$3 before after
	for p in "${PIDS[@]}"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done
	before=$(psqlq "SELECT COUNT(*) FROM posts")
	# Each wrk gets its own nonce: equal client keys would (rightly) be
	# answered with the first reply instead of a new one.
	BENCH_NONCE="$name-a-$(date +%s%N)" timeout 60 wrk -t1 -c$((CONNS / 2)) -d"$DURATION" --timeout 5s -s "$BENCH_LUA/$script" "http://$HOST:${PORTS[0]}$path" >"$WORK/pg-a.out" &
	local wa=$!
	BENCH_NONCE="$name-b-$(date +%s%N)" timeout 60 wrk -t1 -c$((CONNS / 2)) -d"$DURATION" --timeout 5s -s "$BENCH_LUA/$script" "http://$HOST:${PORTS[1]}$path" >"$WORK/pg-b.out"
	wait "$wa"
	after=$(psqlq "SELECT COUNT(*) FROM posts")
	local a b secs committed=-
	a=$(grep '^RESULT' "$WORK/pg-a.out")
	b=$(grep '^RESULT' "$WORK/pg-b.out")
	secs=$(field "$a" seconds)
	((after > before)) && committed=$(awk -v n=$((after - before)) -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
	awk -v OFS='\t' -v name="$name" -v ra="$(field "$a" rps)" -v rb="$(field "$b" rps)" \
		-v p50a="$(field "$a" p50_us)" -v p50b="$(field "$b" p50_us)" -v p99a="$(field "$a" p99_us)" -v p99b="$(field "$b" p99_us)" \
		-v com="$committed" -v ha="$(awk '/VmHWM/ {print $2}' "/proc/${PIDS[0]}/status")" -v hb="$(awk '/VmHWM/ {print $2}' "/proc/${PIDS[1]}/status")" \
		-v note="$4" 'BEGIN { print name, ra + rb, sprintf("%.2f", p50a/1000), sprintf("%.2f", p50b/1000), sprintf("%.2f", p99a/1000), sprintf("%.2f", p99b/1000), com, sprintf("%.1f", ha/1024), sprintf("%.1f", hb/1024), note }' |
		tee -a "$RESULTS"
}

pair thread get.lua "$THREAD_PATH" "anonymous thread page through both instances"
pair post post.lua / "16 members' bearer tokens through both instances"
{
	echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/ {print $2}') GiB"
	echo "# PostgreSQL $(psql "$ADMIN" -Atqc 'SHOW server_version') on loopback, fsync on, synchronous_commit on; two Mutual instances; wrk: 2 processes x 1 thread x $((CONNS / 2)) connections, $DURATION"
} | tee -a "$RESULTS"
echo "results: $RESULTS"
