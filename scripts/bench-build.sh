#!/usr/bin/env bash
# Build benchmark (not a test): generates the scaled corpus from ../shared/corpus with
# ../shared/bench/make_corpus.py, then runs `policykg build --no-artifacts` (cold: a fresh
# store each run) and the Python peer pipeline alternately as whole processes, and prints
# min/median/max wall time, peak RSS and the ratio. Then it times the jobs after a build:
# an incremental rebuild of one changed file (and opening the store with the delta it
# saved), a rebuild with nothing changed, opening the store, every named query, and the
# overview map.
# Usage: scripts/bench-build.sh [RUNS] [FILES]   (default 3 runs, 500 files ≈ 50 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
files=${2:-500}
bench=../shared/bench
[ -d "$bench" ] && [ -d ../shared/corpus ] || { echo "../shared/bench and ../shared/corpus are needed" >&2; exit 2; }
work=target/bench
mkdir -p "$work"
corpus="$work/corpus-$files"
if [ ! -d "$corpus" ]; then
  python3 "$bench/make_corpus.py" ../shared/corpus "$corpus" --files "$files"
fi
venv=target/bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import jieba, rdflib' 2>/dev/null || "$venv/bin/pip" install -q jieba rdflib
cargo build -q --release
bin=./target/release/policykg

# One timed whole process: prints "WALL_SECONDS PEAK_RSS_KB". Dirty pages the previous
# job left (the peer's output, a store just written) are flushed first, so their writeback
# does not fall into this job's fsync.
measure() {
  local log
  sync
  log=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; cat "$log" >&2; exit 1; }
  tail -1 "$log"
  rm -f "$log"
}

stats() { # name, then "wall rss" lines on stdin
  sort -n | awk -v name="$1" '{w[NR]=$1; r[NR]=$2} END {
    printf "%-28s wall min %.2f s  median %.2f s  max %.2f s   peak RSS median %.0f MB\n",
      name, w[1], w[int((NR+1)/2)], w[NR], r[int((NR+1)/2)]/1024 }'
}

echo "corpus: $corpus ($(ls "$corpus" | wc -l) files, $(du -sm "$corpus" | cut -f1) MB); $(nproc) cores; $runs runs each, alternating"
: > "$work/ours.txt"; : > "$work/peer.txt"
for i in $(seq "$runs"); do
  rm -rf "$work/store"
  measure "$bin" build "$corpus" --store "$work/store" --no-artifacts -q >> "$work/ours.txt"
  measure "$venv/bin/python" "$bench/peer_pipeline.py" "$corpus" "$work/peer.nt" >> "$work/peer.txt"
done
stats "policykg build (cold)" < "$work/ours.txt"
stats "peer (jieba + re + rdflib)" < "$work/peer.txt"
ours=$(sort -n "$work/ours.txt" | awk '{w[NR]=$1} END {print w[int((NR+1)/2)]}')
peer=$(sort -n "$work/peer.txt" | awk '{w[NR]=$1} END {print w[int((NR+1)/2)]}')
nq=$(stat -c %s "$work/store/store.nq")
rss=$(sort -n "$work/ours.txt" | awk '{r[NR]=$2} END {print r[int((NR+1)/2)]*1024}')
awk -v o="$ours" -v p="$peer" -v nq="$nq" -v rss="$rss" 'BEGIN {
  printf "ratio: policykg is %.1fx faster than the peer; peak RSS is %.2fx the N-Quads snapshot (%.0f MB)\n", p/o, rss/nq, nq/1048576 }'

# After the build: one changed file, opening, queries, the map.
# (A glob, not `ls | head`: with pipefail, ls killed by SIGPIPE would end the script.)
inputs=("$corpus"/*)
first=$(basename "${inputs[0]}")
cp "$corpus/$first" "$work/changed.txt.orig"
printf '\n2030年，示范项目达到12个。\n' >> "$corpus/$first"
echo "incremental rebuild, one file changed: $(measure "$bin" build "$corpus" --store "$work/store" --no-artifacts -q | awk '{printf "%.2f s, %.0f MB", $1, $2/1024}')"
delta="$work/store/store.delta.nq"
[ -f "$delta" ] && echo "  saved as a delta of $(( $(stat -c %s "$delta") / 1024 )) KB, which queries read over the index:"
echo "  open the store with that delta (query 'ASK {}'): $(measure "$bin" query 'ASK {}' --store "$work/store" | awk '{printf "%.2f s, %.0f MB", $1, $2/1024}')"
echo "  query --named organizations with that delta: $(measure "$bin" query --named organizations --format csv --store "$work/store" | awk '{printf "%.2f s", $1}')"
cp "$work/changed.txt.orig" "$corpus/$first"
"$bin" build "$corpus" --store "$work/store" --no-artifacts -q
echo "rebuild, nothing changed: $(measure "$bin" build "$corpus" --store "$work/store" --no-artifacts -q | awk '{printf "%.2f s, %.0f MB", $1, $2/1024}')"
echo "store: store.nq $(( $(stat -c %s "$work/store/store.nq") / 1048576 )) MB, store.index $(( $(stat -c %s "$work/store/store.index") / 1048576 )) MB"
echo "open the store (query 'ASK {}'): $(measure "$bin" query 'ASK {}' --store "$work/store" | awk '{printf "%.2f s, %.0f MB", $1, $2/1024}')"
for q in ontology/queries/*.rq; do
  name=$(basename "$q" .rq)
  [ "$name" = summary ] && continue
  echo "query --named $name (open + query): $(measure "$bin" query --named "$name" --format csv --store "$work/store" | awk '{printf "%.2f s", $1}')"
done
for q in ontology/queries/summary.rq ontology/queries/derive/*.rq; do
  echo "query -f $q (run by build; open + query): $(measure "$bin" query -f "$q" --format csv --store "$work/store" | awk '{printf "%.2f s", $1}')"
done
echo "render --format dot (overview): $(measure "$bin" render --format dot -o "$work/overview.dot" --store "$work/store" | awk '{printf "%.2f s", $1}')"
if command -v dot >/dev/null; then
  echo "render --format svg (overview, Graphviz): $(measure "$bin" render --format svg -o "$work/overview.svg" --store "$work/store" | awk '{printf "%.2f s", $1}')"
fi
