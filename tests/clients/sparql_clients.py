"""Real SPARQL clients against `policykg serve`: SPARQLWrapper and rdflib's SPARQLStore.

Their answers are compared with `policykg query` on the same store.
Usage: python sparql_clients.py BASE_URL POLICYKG_BINARY STORE_DIR
"""
import json
import subprocess
import sys

from SPARQLWrapper import JSON, SPARQLWrapper, TURTLE
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore

base, binary, store = sys.argv[1], sys.argv[2], sys.argv[3]
endpoint = base.rstrip("/") + "/sparql"

TARGETS = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?min ?max ?unit WHERE {
  ?t pkg:minValue ?min ; pkg:unit ?unit . OPTIONAL { ?t pkg:maxValue ?max }
} ORDER BY ?min ?unit"""


def cli_rows(query):
    out = subprocess.run([binary, "query", "--format", "json", "--store", store, query],
                         check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    return [tuple(b.get(v, {}).get("value") for v in data["head"]["vars"]) for b in data["results"]["bindings"]]


expected = cli_rows(TARGETS)
assert expected, "the store has targets"

# SPARQLWrapper, GET and POST.
for method in ("GET", "POST"):
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(TARGETS)
    client.setReturnFormat(JSON)
    data = client.query().convert()
    rows = [tuple(b.get(v, {}).get("value") for v in data["head"]["vars"]) for b in data["results"]["bindings"]]
    assert rows == expected, (method, rows, expected)
    print(f"SPARQLWrapper {method}: {len(rows)} rows, same as policykg query")

# SPARQLWrapper CONSTRUCT as Turtle, parsed by rdflib.
client = SPARQLWrapper(endpoint)
client.setQuery("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c }")
client.setReturnFormat(TURTLE)
turtle = client.query().convert()
graph = Graph().parse(data=turtle, format="turtle")
cli_count = int(cli_rows("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?c WHERE { ?s a ?c } }")[0][0])
assert len(graph) == cli_count, (len(graph), cli_count)
print(f"SPARQLWrapper CONSTRUCT: {len(graph)} triples, same as policykg query")

# rdflib's SPARQLStore.
remote = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
rows = [tuple(None if v is None else str(v) for v in row) for row in remote.query(TARGETS)]
assert rows == expected, (rows, expected)
print(f"rdflib SPARQLStore: {len(rows)} rows, same as policykg query")

# Updates are refused on a read-only server.
client = SPARQLWrapper(base.rstrip("/") + "/update")
client.setMethod("POST")
client.setQuery("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }")
try:
    client.query()
    raise AssertionError("update accepted by a read-only server")
except Exception as error:  # SPARQLWrapper raises its own HTTP errors
    assert "403" in str(error) or "Forbidden" in type(error).__name__ or "refused" in str(error).lower(), error
    print("update refused with 403")
