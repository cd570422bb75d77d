#!/usr/bin/env python3
"""Independent atlas.sum computation for the tests, written from Atlas's documented algorithm with hashlib only.

usage: atlas_sum.py DIR [FORMAT] -> prints the atlas.sum bytes Atlas would write for DIR
FORMAT: atlas (default), goose, dbmate, liquibase (all top-level *.sql), golang-migrate / psql (top-level
*.up.sql), flyway (recursive V/B/R files: latest baseline, higher versions by numeric parts, then repeatables).
"""
import base64
import hashlib
import os
import re
import sys

# Go's regexp `.` matches anything but \n; applied to the file's bytes from the start.
DIRECTIVE = re.compile(rb"^([ -~]*)atlas:(\w+)(?: +([^\n]+))*", re.ASCII)


def ignored(content: bytes) -> bool:
    m = DIRECTIVE.match(content)
    return bool(m) and m.group(2) == b"sum" and m.group(3) == b"ignore"


def top_level(directory: bytes, suffix: bytes) -> list:
    return sorted(  # bytes sort == Go's sort.Strings
        n for n in os.listdir(directory)
        if n.endswith(suffix) and not os.path.isdir(os.path.join(directory, n))
    )


def flyway_files(directory: bytes) -> list:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(b".")]
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), directory)
            if f[:1] in (b"V", b"B", b"R") and f.endswith(b".sql") and len(f) - 4 >= 4:
                found.append(rel)

    def version(name: bytes) -> tuple:
        base = os.path.basename(name).decode()
        v = base[1:].split("__", 1)[0]
        return tuple(int(p) for p in v.replace("_", ".").split("."))

    kind = lambda n: os.path.basename(n)[:1]
    baselines = sorted((n for n in found if kind(n) == b"B"), key=version)
    latest = baselines[-1:] if baselines else []
    floor = version(latest[0]) if latest else None
    versioned = sorted((n for n in found if kind(n) == b"V" and (floor is None or version(n) > floor)), key=version)
    repeatable = sorted(n for n in found if kind(n) == b"R")
    return latest + versioned + repeatable


def atlas_sum(directory: str, fmt: str = "atlas") -> bytes:
    d = os.fsencode(directory)
    if fmt == "flyway":
        names = flyway_files(d)
    elif fmt in ("golang-migrate", "psql"):
        names = top_level(d, b".up.sql")
    else:
        names = top_level(d, b".sql")
    running = hashlib.sha256()
    entries = []
    for name in names:
        running.update(name)
        with open(os.path.join(os.fsencode(directory), name), "rb") as f:
            content = f.read()
        if ignored(content):
            continue
        running.update(content)
        entries.append((name, base64.b64encode(running.copy().digest())))
    total = hashlib.sha256()
    for name, h in entries:
        total.update(name + h)
    out = b"h1:" + base64.b64encode(total.digest()) + b"\n"
    for name, h in entries:
        out += name + b" h1:" + h + b"\n"
    return out


if __name__ == "__main__":
    sys.stdout.buffer.write(atlas_sum(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "atlas"))
