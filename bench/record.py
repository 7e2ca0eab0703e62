#!/usr/bin/env python3
"""Helpers for bench/run.sh.

record: merge one run's JSON line (its stdout) with peak RSS and wall time from `/usr/bin/time -v`, print one JSONL record.
  record.py --stdout OUT --time TIME --case C --tool T --role chunkcompute|peer --rep N --size S --target R --load L --command CMD
  (rep 0 is the untimed warm-up; report.py leaves it out of the statistics.)

check: assert that every run of a case agrees on logical bytes and, to 1e-6 relative (--rel-tol: a case's own
tolerance, set in cases.sh with checksum_tolerance), on the checksum (with --metric us_per_task, only the runs of the
same tool: the tools run different task counts). A floor run (role floor: `ChunkCompute.Bench floor-run`, declared
with floor_of in cases.sh) computes nothing, so it has no checksum ("checksum": null); it must agree on bytes (the
array's logical bytes: the floor read the case's array).
  record.py --check RAW.jsonl --case C [--metric throughput|us_per_task|rss_mib] [--rel-tol 1e-6]

Fields of the command's JSON line beyond case/tool/seconds/bytes/checksum (tasks, us_per_task, budget_bytes, ...) are
kept under "extra".
"""
import argparse
import datetime
import json
import math
import sys

REL_TOL = 1e-6


def parse_time_v(path):
    rss = wall = None
    cpu = 0.0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("Maximum resident set size (kbytes):"):
                rss = int(line.rsplit(":", 1)[1])
            elif line.startswith(("User time (seconds):", "System time (seconds):")):
                cpu += float(line.rsplit(":", 1)[1])
            elif line.startswith("Elapsed (wall clock) time"):
                # h:mm:ss or m:ss.ss
                parts = [float(p) for p in line.split(": ", 1)[1].strip().split(":")]
                wall = 0.0
                for p in parts:
                    wall = wall * 60 + p
    if rss is None:
        sys.exit(f"record.py: no 'Maximum resident set size' in {path}")
    return rss, wall, cpu


def parse_result(path, case):
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if l.startswith("{")]
    if not lines:
        sys.exit(f"record.py: no JSON line in the output of case {case}")
    r = json.loads(lines[-1])
    for key in ("case", "seconds", "bytes", "checksum"):
        if key not in r:
            sys.exit(f"record.py: the JSON line of case {case} has no '{key}': {lines[-1]}")
    if r["checksum"] is None and r.get("tool") != "floor":
        sys.exit(f"record.py: case {case}: only a floor run may report no checksum: {lines[-1]}")
    if r["case"] != case:
        sys.exit(f"record.py: expected case {case}, the command reported {r['case']}")
    return r


def record(a):
    r = parse_result(a.stdout, a.case)
    rss, wall, cpu = parse_time_v(a.time)
    out = {
        "case": a.case, "tool": a.tool, "role": a.role, "rep": a.rep, "size": a.size,
        "target": None if a.target == "-" else float(a.target),
        "seconds": float(r["seconds"]), "bytes": int(r["bytes"]), "checksum": None if r["checksum"] is None else float(r["checksum"]),
        "max_rss_kib": rss, "process_seconds": wall, "process_cpu_seconds": cpu,
        "load_before": a.load, "command": a.command, "metric": a.metric,
        "rss_limit_mib": None if a.rss_limit in (None, "-") else float(a.rss_limit),
        "checksum_rel_tol": a.rel_tol,
        "extra": {k: v for k, v in r.items() if k not in ("case", "tool", "seconds", "bytes", "checksum")},
        "commit": a.commit,
        "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    print(json.dumps(out))


def check(a):
    runs = []
    with open(a.check, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                if r["case"] == a.case:
                    runs.append(r)
    if not runs:
        sys.exit(f"record.py: no runs of case {a.case} in {a.check}")
    floors = [r for r in runs if r.get("role") == "floor"]
    runs = [r for r in runs if r.get("role") != "floor"]
    if not runs:
        sys.exit(f"record.py: case {a.case} has floor runs only")
    groups = [runs]
    if a.metric == "us_per_task":
        groups = [[r for r in runs if r["tool"] == t] for t in sorted({r["tool"] for r in runs})]
    for group in groups:
        check_group(a.case, group, a.rel_tol)
    for r in floors:
        if r["bytes"] != runs[0]["bytes"]:
            sys.exit(f"record.py: case {a.case}: the floor was measured on {r['bytes']} logical bytes, "
                     f"{runs[0]['tool']} read {runs[0]['bytes']}: not the case's array")
    if floors:
        print(f"[bench] case {a.case}: {len(floors)} floor runs on the same {runs[0]['bytes']} logical bytes",
              file=sys.stderr)


def check_group(case, runs, rel_tol=REL_TOL):
    ref = runs[0]
    for r in runs[1:]:
        if r["bytes"] != ref["bytes"]:
            sys.exit(f"record.py: case {case}: {r['tool']} read {r['bytes']} bytes, {ref['tool']} {ref['bytes']}")
        if not math.isclose(r["checksum"], ref["checksum"], rel_tol=rel_tol, abs_tol=1e-12):
            sys.exit(f"record.py: case {case}: checksums disagree (relative tolerance {rel_tol:g}): "
                     f"{r['tool']} {r['checksum']!r}, {ref['tool']} {ref['checksum']!r}")
    tools = sorted({r["tool"] for r in runs})
    print(f"[bench] case {case}: {len(runs)} runs of {', '.join(tools)} agree "
          f"(bytes {ref['bytes']}, checksum {ref['checksum']!r}, relative tolerance {rel_tol:g})", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check")
    ap.add_argument("--stdout")
    ap.add_argument("--time")
    ap.add_argument("--case", required=True)
    ap.add_argument("--tool")
    ap.add_argument("--role")
    ap.add_argument("--rep", type=int)
    ap.add_argument("--size")
    ap.add_argument("--target", default="-")
    ap.add_argument("--load", type=float)
    ap.add_argument("--command")
    ap.add_argument("--commit", help="the ChunkCompute commit measured (run.sh: git rev-parse --short HEAD)")
    ap.add_argument("--rss-limit", default="-", help="second target: ChunkCompute's peak RSS in MiB, at most")
    ap.add_argument("--metric", default="throughput", choices=("throughput", "us_per_task", "rss_mib"))
    ap.add_argument("--rel-tol", type=float, default=REL_TOL,
                    help="relative tolerance of the checksum check (1e-6 unless the case sets its own)")
    a = ap.parse_args()
    if a.check:
        check(a)
    else:
        record(a)


if __name__ == "__main__":
    main()
