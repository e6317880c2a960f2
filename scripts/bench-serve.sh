#!/usr/bin/env bash
# Load benchmark of `policykg serve` (not a test): drives a named query over loopback with
# wrk and prints requests per second, p50/p99 latency and errors.
# Usage: scripts/bench-serve.sh [STORE_DIR] [DURATION] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:-output/store}
duration=${2:-10s}
connections=${3:-8}
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 2; }
cargo build -q --release
[ -f "$store/store.nq" ] || ./target/release/policykg build -q --store "$store" --no-artifacts
log=$(mktemp)
./target/release/policykg serve --bind 127.0.0.1:0 --store "$store" --threads 4 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q "serving" "$log" && break; sleep 0.1; done
base=$(grep -o 'http://[^/]*' "$log" | head -1)
query=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(open("ontology/queries/targets-by-deadline.rq").read()))')
echo "store: $store ($(wc -l < "$store/store.nq") quads); query: targets-by-deadline; $connections connections, $duration"
wrk -t2 -c"$connections" -d"$duration" --latency -H "Accept: application/sparql-results+json" "$base/sparql?query=$query" \
  | tee /dev/stderr | awk '
      /Requests\/sec/ {rps=$2}
      /^ +50%/ {p50=$2}
      /^ +99%/ {p99=$2}
      /Non-2xx/ {errors=$5}
      /Socket errors/ {socket=$0}
      END {printf "\nrequests/s: %s   p50: %s   p99: %s   non-2xx: %s   %s\n", rps, p50, p99, (errors==""?0:errors), socket}'
