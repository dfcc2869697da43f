#!/usr/bin/env python3
"""Compares TPC-H answers of two engines: <dir_a>/qNN.csv against <dir_b>/qNN.csv.

usage: bench/tpch_compare.py DIR_A DIR_B
Files are '|'-separated with a header line (bench/tpch_bench.cpp, bench/tpch_duckdb.js).
Cells match when the text is equal, or both parse as numbers within a relative 1e-6
(decimal formatting differs between engines). Rows are compared in order (the queries'
ORDER BY fixes it). Prints one line per query of DIR_A: "qNN ok|DIFF|MISSING <detail>";
exits 1 when any query differs.
"""
import os
import sys


def same(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-6 * max(1.0, abs(x), abs(y))


def compare(path_a, path_b):
    with open(path_a) as f:
        a = f.read().splitlines()[1:]
    with open(path_b) as f:
        b = f.read().splitlines()[1:]
    if len(a) != len(b):
        return f"DIFF {len(a)} rows vs {len(b)}"
    for r, (ra, rb) in enumerate(zip(a, b)):
        ca, cb = ra.split("|"), rb.split("|")
        if len(ca) != len(cb) or not all(same(x, y) for x, y in zip(ca, cb)):
            return f"DIFF row {r + 1}: {ra} vs {rb}"
    return f"ok {len(a)} rows"


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    dir_a, dir_b = sys.argv[1:]
    bad = 0
    for name in sorted(os.listdir(dir_a)):
        if not name.endswith(".csv"):
            continue
        other = os.path.join(dir_b, name)
        verdict = compare(os.path.join(dir_a, name), other) if os.path.exists(other) else "MISSING"
        bad += not verdict.startswith("ok")
        print(name[:-4], verdict)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
