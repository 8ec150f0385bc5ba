#!/usr/bin/env python3
"""Write a directory as a one-layer image in `docker save` format (what
`osv-scanner scan image --archive` reads), without a Docker daemon.

usage: dockersave.py ROOTDIR OUT.tar [TAG]"""
import hashlib, io, json, os, sys, tarfile, tempfile

root, out = sys.argv[1], sys.argv[2]
tag = sys.argv[3] if len(sys.argv) > 3 else "ward-bench:latest"

layer = tempfile.NamedTemporaryFile(dir=os.path.dirname(os.path.abspath(out)), suffix=".layer.tar")
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as lt:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames) + sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            info = lt.gettarinfo(full, arcname=rel)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = 0
            if info.isfile():
                with open(full, "rb") as f:
                    lt.addfile(info, f)
            else:
                lt.addfile(info)
layer.flush()
h = hashlib.sha256()
layer.seek(0)
for chunk in iter(lambda: layer.read(1 << 20), b""):
    h.update(chunk)
diff_id = "sha256:" + h.hexdigest()
config = json.dumps({
    "architecture": "amd64", "os": "linux",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    "history": [{"created_by": "bench/vuln/dockersave.py"}],
}).encode()
config_name = hashlib.sha256(config).hexdigest() + ".json"
layer_name = diff_id.split(":")[1] + "/layer.tar"
manifest = json.dumps([{"Config": config_name, "RepoTags": [tag], "Layers": [layer_name]}]).encode()

def add(t, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))

with tarfile.open(out, "w") as t:
    add(t, config_name, config)
    ti = tarfile.TarInfo(layer_name)
    ti.size = os.path.getsize(layer.name)
    layer.seek(0)
    t.addfile(ti, layer)
    add(t, "manifest.json", manifest)
