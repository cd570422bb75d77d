#!/usr/bin/env python3
"""Independent atlas.sum computation for the tests, written from Atlas's documented algorithm with hashlib only.

usage: atlas_sum.py DIR   -> prints the atlas.sum bytes Atlas would write for DIR (format atlas)
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


def atlas_sum(directory: str) -> bytes:
    names = sorted(
        n for n in os.listdir(os.fsencode(directory))
        if n.endswith(b".sql") and not os.path.isdir(os.path.join(os.fsencode(directory), n))
    )  # bytes sort == Go's sort.Strings
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
    sys.stdout.buffer.write(atlas_sum(sys.argv[1]))
