#!/usr/bin/env python3
"""Independent atlas.sum computation for the tests, written from Atlas's documented algorithm with hashlib only.

usage: atlas_sum.py DIR [FORMAT] -> prints the atlas.sum bytes Atlas would write for DIR
       atlas_sum.py --batch      -> reads "FORMAT DIR" lines on stdin, prints a JSON object {DIR: atlas.sum}
FORMAT: atlas (default), goose, dbmate, liquibase (all top-level *.sql), golang-migrate / psql (top-level
*.up.sql), flyway (recursive V/B/R files in Atlas's own order: see flyway_files).
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


def walk(directory: bytes) -> list:
    """fs.WalkDir order: each directory's entries sorted by name bytes, a directory's files right after its entry;
    hidden directories skipped (sql/sqltool/hidden.go). Paths relative, with '/'."""
    out = []

    def visit(rel: bytes):
        for name in sorted(os.listdir(os.path.join(directory, rel) if rel else directory)):
            path = rel + b"/" + name if rel else name
            if os.path.isdir(os.path.join(directory, path)):
                if not name.startswith(b"."):
                    visit(path)
            else:
                out.append(path)

    visit(b"")
    return out


def go_slice_sort(items: list, less) -> list:
    """Go's sort.Slice (pdqsort, src/sort/zsortfunc.go since Go 1.19; xorshift 13/7/17 as current Go has it).
    Not stable beyond 12 items, and Atlas's order of equal Flyway versions depends on exactly how it moves them."""
    data = list(items)
    lt = lambda i, j: less(data[i], data[j])

    def swap(i, j):
        data[i], data[j] = data[j], data[i]

    def insertion(a, b):
        for i in range(a + 1, b):
            j = i
            while j > a and lt(j, j - 1):
                swap(j, j - 1)
                j -= 1

    def sift(lo, hi, first):
        root = lo
        while True:
            child = 2 * root + 1
            if child >= hi:
                return
            if child + 1 < hi and lt(first + child, first + child + 1):
                child += 1
            if not lt(first + root, first + child):
                return
            swap(first + root, first + child)
            root = child

    def heap(a, b):
        hi = b - a
        for i in range((hi - 1) // 2, -1, -1):
            sift(i, hi, a)
        for i in range(hi - 1, -1, -1):
            swap(a, a + i)
            sift(0, i, a)

    def median(x, y, z, swaps):
        def order(p, q):
            if lt(q, p):
                swaps[0] += 1
                return q, p
            return p, q
        x, y = order(x, y)
        y, z = order(y, z)
        x, y = order(x, y)
        return y

    def choose(a, b):
        n = b - a
        swaps = [0]
        i, j, k = a + n // 4, a + n // 4 * 2, a + n // 4 * 3
        if n >= 8:
            if n >= 50:
                i = median(i - 1, i, i + 1, swaps)
                j = median(j - 1, j, j + 1, swaps)
                k = median(k - 1, k, k + 1, swaps)
            j = median(i, j, k, swaps)
        return j, ("inc" if swaps[0] == 0 else "dec" if swaps[0] == 12 else "unknown")

    def partial(a, b):
        i = a + 1
        for _ in range(5):
            while i < b and not lt(i, i - 1):
                i += 1
            if i == b:
                return True
            if b - a < 50:
                return False
            swap(i, i - 1)
            if i - a >= 2:
                for j in range(i - 1, 0, -1):
                    if not lt(j, j - 1):
                        break
                    swap(j, j - 1)
            if b - i >= 2:
                for j in range(i + 1, b):
                    if not lt(j, j - 1):
                        break
                    swap(j, j - 1)
        return False

    def break_patterns(a, b):
        n = b - a
        if n < 8:
            return
        r = n
        modulus = 1 << n.bit_length()
        mid = a + (n // 4) * 2
        for idx in range(mid - 1, mid + 2):
            r ^= (r << 13) & 0xFFFFFFFFFFFFFFFF
            r ^= r >> 7
            r ^= (r << 17) & 0xFFFFFFFFFFFFFFFF
            other = r & (modulus - 1)
            if other >= n:
                other -= n
            swap(idx, a + other)

    def partition(a, b, pivot):
        swap(a, pivot)
        i, j = a + 1, b - 1
        while i <= j and lt(i, a):
            i += 1
        while i <= j and not lt(j, a):
            j -= 1
        if i > j:
            swap(j, a)
            return j, True
        swap(i, j)
        i, j = i + 1, j - 1
        while True:
            while i <= j and lt(i, a):
                i += 1
            while i <= j and not lt(j, a):
                j -= 1
            if i > j:
                break
            swap(i, j)
            i, j = i + 1, j - 1
        swap(j, a)
        return j, False

    def partition_equal(a, b, pivot):
        swap(a, pivot)
        i, j = a + 1, b - 1
        while True:
            while i <= j and not lt(a, i):
                i += 1
            while i <= j and lt(a, j):
                j -= 1
            if i > j:
                break
            swap(i, j)
            i, j = i + 1, j - 1
        return i

    def pdq(a, b, limit):
        balanced, partitioned = True, True
        while True:
            n = b - a
            if n <= 12:
                insertion(a, b)
                return
            if limit == 0:
                heap(a, b)
                return
            if not balanced:
                break_patterns(a, b)
                limit -= 1
            pivot, hint = choose(a, b)
            if hint == "dec":
                i, j = a, b - 1
                while i < j:
                    swap(i, j)
                    i, j = i + 1, j - 1
                pivot = (b - 1) - (pivot - a)
                hint = "inc"
            if balanced and partitioned and hint == "inc" and partial(a, b):
                return
            if a > 0 and not lt(a - 1, pivot):
                a = partition_equal(a, b, pivot)
                continue
            mid, partitioned = partition(a, b, pivot)
            left, right = mid - a, b - mid
            if left < right:
                balanced = left >= n // 8
                pdq(a, mid, limit)
                a = mid + 1
            else:
                balanced = right >= n // 8
                pdq(mid + 1, b, limit)
                b = mid

    pdq(0, len(data), len(data).bit_length())
    return data


def flyway_files(directory: bytes) -> list:
    """Atlas's FlywayDir.Files and flywayFiles (sql/sqltool/tool.go): walk order, versions compared as Go strings
    (bytes) while adding, then sort.Slice by flywayVersionCompare."""
    def version(path: bytes) -> bytes:
        base = os.path.basename(path)
        return b"" if base[:1] == b"R" else base[:-4].split(b"__", 1)[0][1:]

    def atoi(part: bytes) -> int:
        if re.fullmatch(rb"[+-]?[0-9]+", part) is None:
            return 0
        return max(-(1 << 63), min((1 << 63) - 1, int(part)))

    def compare_key(v: bytes) -> list:
        return [atoi(p) for p in v.replace(b"_", b".").split(b".")]

    baseline, versioned, repeatable = b"", [], []
    for path in walk(directory):
        base = os.path.basename(path)
        if not base.endswith(b".sql") or len(base) < 4 or base[:1] not in (b"V", b"B", b"R"):
            continue
        if base[:1] == b"B":
            if baseline and version(path) < version(baseline):
                continue
            baseline = path
            versioned = [v for v in versioned if v > version(baseline)]  # the path, as tool.go has it
        elif base[:1] == b"V":
            if not baseline or version(baseline) < version(path):
                versioned.append(path)
        else:
            repeatable.append(path)
    less = lambda x, y: compare_key(version(x)) < compare_key(version(y))  # Python lists compare like slices.Compare
    return ([baseline] if baseline else []) + go_slice_sort(versioned, less) + go_slice_sort(repeatable, less)


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
    if sys.argv[1:] == ["--batch"]:
        import json

        pairs = [line.split(" ", 1) for line in sys.stdin.read().splitlines() if line]
        print(json.dumps({d: atlas_sum(d, f).decode("utf-8") for f, d in pairs}))
    else:
        sys.stdout.buffer.write(atlas_sum(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "atlas"))
