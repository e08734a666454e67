#!/usr/bin/env python3
"""validate-schema.py - check EPCIS 2.0 JSON documents against the official
EPCIS 2.0 JSON Schema (tests/data/epcis/schema/EPCIS-JSON-Schema-root.json).

    tests/epcis/validate-schema.py [--schema-dir DIR] FILE...   ('-' = stdin)

The schema is split over several files that refer to each other by
relative $ref; every file is loaded into a store keyed by its $id, so the
references resolve locally and nothing is fetched from the network.
Prints one line per invalid document and exits 1 if any was invalid,
2 on a usage or setup problem.
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write("validate-schema.py: python3-jsonschema is not installed\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "..", "data", "epcis", "schema")
ROOT = "EPCIS-JSON-Schema-root.json"


def load_store(schema_dir):
    """Every schema file under schema_dir (not the tests), by its $id."""
    store = {}
    for top, dirs, files in os.walk(schema_dir):
        dirs[:] = [d for d in dirs if d != "test"]
        for name in files:
            if not name.endswith(".json"):
                continue
            with open(os.path.join(top, name), encoding="utf-8") as f:
                doc = json.load(f)
            if isinstance(doc, dict) and "$id" in doc:
                store[doc["$id"]] = doc
    return store


def main(argv):
    schema_dir = DEFAULT_DIR
    args = argv[1:]
    if len(args) >= 2 and args[0] == "--schema-dir":
        schema_dir, args = args[1], args[2:]
    if not args:
        sys.stderr.write(__doc__)
        return 2
    with open(os.path.join(schema_dir, ROOT), encoding="utf-8") as f:
        root = json.load(f)
    store = load_store(schema_dir)
    cls = jsonschema.validators.validator_for(root)
    cls.check_schema(root)
    try:  # jsonschema >= 4.18 resolves through `referencing`
        import referencing
        import referencing.jsonschema
        registry = referencing.Registry().with_resources(
            (uri, referencing.jsonschema.DRAFT7.create_resource(doc))
            for uri, doc in store.items())
        validator = cls(root, registry=registry,
                        format_checker=cls.FORMAT_CHECKER)
    except ImportError:  # Debian bookworm: 4.10, RefResolver
        resolver = jsonschema.RefResolver(root["$id"], root, store=store)
        validator = cls(root, resolver=resolver,
                        format_checker=cls.FORMAT_CHECKER)
    bad = 0
    for path in args:
        try:
            if path == "-":
                doc = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as f:
                    doc = json.load(f)
        except (OSError, ValueError) as e:
            print("%s: cannot read: %s" % (path, e))
            bad += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            bad += 1
            for e in errors[:5]:
                where = "/".join(str(p) for p in e.absolute_path) or "(root)"
                print("%s: %s: %s" % (path, where, e.message[:300]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
