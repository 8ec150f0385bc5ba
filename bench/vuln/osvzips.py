#!/usr/bin/env python3
"""Pack OSV records (JSON or YAML files under the given folders, plus
existing all.zip files) into osv.dev-style per-ecosystem archives:
OUT/<Ecosystem>/all.zip, a record going into every ecosystem it names.

usage: osvzips.py OUT SRC..."""
import datetime, json, os, sys, zipfile
import yaml

out, srcs = sys.argv[1], sys.argv[2:]
records = {}

def add(name, rec):
    if not isinstance(rec, dict) or "id" not in rec:
        return
    records[rec["id"]] = rec

for src in srcs:
    if src.endswith(".zip"):
        with zipfile.ZipFile(src) as z:
            for n in z.namelist():
                if n.endswith(".json"):
                    add(n, json.loads(z.read(n)))
        continue
    for dirpath, _, files in os.walk(src):
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            if f.endswith(".json"):
                with open(p) as fh:
                    rec = json.load(fh)
                if "Header" in rec or "Annotations" in rec:
                    continue  # vuln-list-debian: not OSV
                add(p, rec)
            elif f.endswith((".yaml", ".yml")):
                with open(p) as fh:
                    add(p, yaml.safe_load(fh))

def stamp(v):
    # YAML timestamps come back as datetimes: write them as RFC 3339.
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(v)

by_eco = {}
for rid, rec in records.items():
    for a in rec.get("affected") or []:
        eco = (a.get("package") or {}).get("ecosystem", "")
        base = eco.split(":")[0]
        if base:
            by_eco.setdefault(base, {})[rid] = rec

for eco, recs in sorted(by_eco.items()):
    d = os.path.join(out, eco)
    os.makedirs(d, exist_ok=True)
    with zipfile.ZipFile(os.path.join(d, "all.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for rid, rec in sorted(recs.items()):
            z.writestr(rid + ".json", json.dumps(rec, default=stamp))
    print(f"{eco}: {len(recs)} records", file=sys.stderr)
