#!/usr/bin/env bash
# Pushes a store to a real Virtuoso (Debian's virtuoso-opensource) over the Graph Store
# Protocol and checks, graph by graph, that Virtuoso holds what the store holds; a second
# push must send nothing. Used by CI; runs Virtuoso from a temporary directory on free ports.
# Usage: scripts/virtuoso-push-check.sh POLICYKG_BINARY STORE_DIR
set -euo pipefail
binary=$1
store=$2
command -v virtuoso-t >/dev/null || { echo "virtuoso-t is not installed (apt-get install virtuoso-opensource)" >&2; exit 2; }
dir=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sql_port=$(free_port)
http_port=$(free_port)
sed -e "s|/var/lib/virtuoso-opensource-7/db|$dir|g" \
    -e "/^\[Parameters\]/,/^\[/ s|^ServerPort.*|ServerPort = $sql_port|" \
    -e "/^\[HTTPServer\]/,/^\[/ s|^ServerPort.*|ServerPort = $http_port|" \
    /etc/virtuoso-opensource-7/virtuoso.ini > "$dir/virtuoso.ini"
(cd "$dir" && exec virtuoso-t +configfile "$dir/virtuoso.ini" +foreground > "$dir/out.log" 2>&1) &
virtuoso=$!
trap 'kill $virtuoso 2>/dev/null || true; wait $virtuoso 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 120); do grep -q "Server online" "$dir/out.log" 2>/dev/null && break; sleep 0.5; done
grep -q "Server online" "$dir/out.log" || { cat "$dir/out.log" >&2; echo "Virtuoso did not start" >&2; exit 1; }
# The anonymous SPARQL user may write through /sparql-graph-crud (a fresh database's dba/dba).
isql-vt "$sql_port" dba dba exec='grant SPARQL_UPDATE to "SPARQL";' >/dev/null
endpoint="http://127.0.0.1:$http_port/sparql-graph-crud"
"$binary" push --endpoint "$endpoint" --store "$store"
second=$("$binary" push --endpoint "$endpoint" --store "$store" 2>&1 | tail -1)
echo "$second"
case "$second" in *" 0 graphs sent,"*) ;; *) echo "a second push sent graphs again" >&2; exit 1 ;; esac
count='SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/policykg/") || STRSTARTS(STR(?g), "file:") || STRSTARTS(STR(?g), "urn:")) } GROUP BY ?g ORDER BY ?g'
theirs=$(curl -sf -H "Accept: text/csv" --data-urlencode "query=$count" "http://127.0.0.1:$http_port/sparql" | tr -d '"' | tail -n +2 | sort)
ours=$("$binary" query --store "$store" --format csv "$count" | tr -d '\r' | tail -n +2 | sort)
if [ "$theirs" != "$ours" ]; then
  diff <(echo "$ours") <(echo "$theirs") >&2 || true
  echo "Virtuoso holds other graphs than the store" >&2
  exit 1
fi
echo "virtuoso: $(echo "$ours" | wc -l) graphs, $(echo "$ours" | awk -F, '{n+=$2} END {print n}') triples, the same as the store"
