#!/usr/bin/env bash
# Before and after, interleaved: the write paths of a base revision against
# the working tree, on this machine, in alternating runs of the same
# commands (base, new, base, new, ...), so that the machine's drift falls on
# both alike. Prints every run and then the median and range of each figure.
#
#   bench/compare.sh BASE [PAIRS]       # go test -bench: kudos beside readers, posting
#   WRK=1 bench/compare.sh BASE [PAIRS] # also bench/run.sh's posting scenario with wrk
#   WRK=1 GOBENCH=0 WRK_SCENARIOS="search thread_json" THREADS=100000 POSTS=1000000 \
#       bench/compare.sh BASE 3         # other run.sh scenarios, wrk only
#
# BASE is any git revision; PAIRS defaults to 5. WRK runs use bench/run.sh's
# data (THREADS/POSTS, default 10,000 / 100,000 here) and each tree's own
# bench/run.sh, one scenario after another (WRK_SCENARIOS, default post).
# A run whose requests fail stops the comparison.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${1:?usage: bench/compare.sh BASE [PAIRS]}
PAIRS=${2:-5}
OUT=$(mktemp -d /tmp/mutual-compare.XXXXXX)
BASE_TREE="$OUT/base"

git -C "$ROOT" worktree add --detach -f "$BASE_TREE" "$BASE" >/dev/null
trap 'git -C "$ROOT" worktree remove --force "$BASE_TREE" >/dev/null 2>&1 || true' EXIT

echo "== build test binaries: base $(git -C "$BASE_TREE" rev-parse --short HEAD), new $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+changes')"
if [[ ${GOBENCH:-1} == 1 ]]; then
	(cd "$BASE_TREE" && go test -c -o "$OUT/base.test" ./app)
	(cd "$ROOT" && go test -c -o "$OUT/new.test" ./app)
fi

# gobench NAME BIN: one run of each benchmark, its figures as "name value" lines.
gobench() {
	local which=$1 bin=$2
	"$bin" -test.run '^$' -test.bench 'KudosWithReaders$' -test.benchtime 10000x 2>&1 |
		awk -v w="$which" '/kudos\/s/ { for (i = 1; i < NF; i++) if ($(i+1) == "kudos/s" || $(i+1) == "p99-ms" || $(i+1) == "reads/s") print w, "kudos-" $(i+1), $i }'
	"$bin" -test.run '^$' -test.bench 'PostReply/(parallel|hot)' -test.benchtime 3000x 2>&1 |
		awk -v w="$which" '/^BenchmarkPostReply\/(parallel|hot)/ { sub(/^BenchmarkPostReply\//, ""); sub(/-[0-9]+$/, "", $1); p = ($1 == "hot") ? "post-hot-" : "post-"
			for (i = 3; i < NF; i++) { if ($(i+1) == "ns/op") print w, p "us/op", $i / 1000; if ($(i+1) == "pages/op" || $(i+1) == "walwrites/op") print w, p $(i+1), $i } }'
}

# wrkrun NAME TREE: bench/run.sh's WRK_SCENARIOS from that tree.
wrkrun() {
	local which=$1 tree=$2
	local log="$OUT/wrk-$which-$RANDOM.log"
	THREADS=${THREADS:-10000} POSTS=${POSTS:-100000} DURATION=${DURATION:-10s} SCENARIOS=${WRK_SCENARIOS:-post} \
		bash "$tree/bench/run.sh" >"$log" 2>&1 || true
	local tsv
	tsv=$(ls -t "$tree"/bench/results/*.tsv | head -1)
	for sc in ${WRK_SCENARIOS:-post}; do
		if ! awk -F'\t' -v sc="$sc" '$1 == sc { found = 1; if ($6 + $7 > 0) bad = 1 } END { exit !(found && !bad) }' "$tsv"; then
			echo "failed run (requests failed or no $sc line): $tsv, $log" >&2
			exit 1
		fi
	done
	awk -v w="$which" -v scs="${WRK_SCENARIOS:-post}" -F'\t' 'BEGIN { n = split(scs, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		want[$1] { print w, "wrk-" $1 "-req/s", $2; print w, "wrk-" $1 "-p99-ms", $4; print w, "wrk-" $1 "-rss-mb", $9; if ($8 != "-") print w, "wrk-" $1 "-committed/s", $8 }' "$tsv"
}

for i in $(seq 1 "$PAIRS"); do
	for which in base new; do
		bin="$OUT/$which.test"
		tree=$ROOT
		[[ $which == base ]] && tree=$BASE_TREE
		if [[ ${GOBENCH:-1} == 1 ]]; then
			gobench "$which" "$bin" | tee -a "$OUT/figures"
		fi
		if [[ ${WRK:-} == 1 ]]; then
			wrkrun "$which" "$tree" | tee -a "$OUT/figures"
		fi
	done
done

echo "== medians (range) over $PAIRS runs each"
sort -k2,2 -k1,1 -k3,3g "$OUT/figures" | awk '
	{ key = $2 " " $1; v[key, ++n[key]] = $3 }
	END {
		for (k in n) {
			m = n[k]; mid = (m % 2) ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2
			printf "%-22s %-5s median %10.1f  range %.1f-%.1f\n", substr(k, 1, index(k, " ") - 1), substr(k, index(k, " ") + 1), mid, v[k, 1], v[k, m]
		}
	}' | sort
echo "figures: $OUT/figures"
