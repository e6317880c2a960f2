"""A real SHACL engine (pySHACL) against `policykg validate` on the same RDF.

policykg checks the shapes of ontology/shapes.ttl with one SPARQL query per shape; this
runs the shapes themselves through pySHACL and requires the same verdict and the same
focus nodes for every file given.
Usage: python shacl_crosscheck.py POLICYKG_BINARY SHAPES.ttl FILE.ttl...
"""
import json
import subprocess
import sys

import pyshacl
from rdflib import Graph, Namespace

SH = Namespace("http://www.w3.org/ns/shacl#")
binary, shapes_path, files = sys.argv[1], sys.argv[2], sys.argv[3:]
shapes = Graph().parse(shapes_path)

for path in files:
    data = Graph().parse(path)
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    engine_focus = sorted({str(o) for o in report.objects(None, SH.focusNode)})
    run = subprocess.run([binary, "validate", path, "--format", "turtle"], capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    ours = Graph().parse(data=run.stdout, format="turtle")
    our_conforms = any(bool(o.toPython()) for o in ours.objects(None, SH.conforms))
    our_focus = sorted({str(o) for o in ours.objects(None, SH.focusNode)})
    assert our_conforms == conforms, f"{path}: pySHACL says conforms={conforms}, policykg {our_conforms}"
    assert our_focus == engine_focus, f"{path}: focus nodes differ:\npySHACL {engine_focus}\npolicykg {our_focus}"
    assert (run.returncode == 0) == conforms, f"{path}: exit {run.returncode} with conforms={conforms}"
    print(f"shacl cross-check {path}: {len(data)} triples, conforms={conforms}, "
          f"{len(engine_focus)} focus nodes in violation, same as pySHACL")
