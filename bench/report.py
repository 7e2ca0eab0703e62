#!/usr/bin/env python3
"""Write bench/RESULTS.md and bench/results.svg from the raw results of bench/run.sh.

  report.py --raw bench/out/<size>.jsonl --size S --command "bench/run.sh --size S" --md bench/RESULTS.md --svg bench/results.svg
            [--disk bench/out/<size>-disk.jsonl]

--disk: the disk read rates cold cases measured (coldcache.py diskread, O_DIRECT); each such case's section then compares
the tools' read rates with the disk's, and ChunkCompute's median time with the disk's read time (target <= 1.1x).

A read-bound case with a floor (runs of tool "floor", role floor: floor_of in cases.sh) gets a line with the floor's
median time and ChunkCompute / floor (target <= 1.25x), and a value in the summary table's "vs floor" column.

Rep 0 of each tool is the untimed warm-up and is left out. Throughput is logical (decoded) bytes per second, GB = 1e9 bytes.
"""
import argparse
import datetime
import html
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys

SIZE_LABELS = {
    "tiny": "tiny (8 MiB arrays; rechunk 128 MiB; codec 8 MB; CI smoke size)",
    "small": "small (200 MiB arrays; 512 MiB in memory and for rechunk_2d; 1 GiB for rss_std_budget; codec 100 MB)",
    "full": "full (2 GiB arrays; 512 MiB in memory and for npy; rss_std_budget's array as its logical bytes say; codec 100 MB)",
    "huge": "huge (larger than RAM: one 1-D float64 array, 32 GiB unless HUGE_GIB says otherwise, as its logical bytes "
            "say; read from a cold page cache)",
}
METRIC_HELP = {
    "throughput": "ChunkCompute's median throughput / the peer's, target is a minimum",
    "us_per_task": "ChunkCompute's median µs per task, target is a maximum (the tools run different task counts)",
    "rss_mib": "ChunkCompute's largest peak RSS in MiB, target is a maximum",
}
FLOOR = "floor"       # the tool label of a read-bound case's floor runs (floor_of in cases.sh)
FLOOR_TARGET = 1.25   # issue 21: ChunkCompute's median time at most 1.25x its floor's, measured in the same run
DISK_TARGET = 1.1     # issue 21: a cold case's median time at most 1.1x the disk's O_DIRECT read of its stored bytes
ANALYSIS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "analysis")
CC = "chunkcompute"


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine():
    model = ""
    for line in sh("lscpu").splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "cores (nproc)": sh("nproc"),
        "CPU": model or platform.processor() or "unknown",
        "memory": f"{mem_kib / 2**20:.1f} GiB",
        "kernel": f"{platform.system()} {platform.release()}",
        "OS": sh(". /etc/os-release && echo \"$PRETTY_NAME\""),
    }


def versions(recorded_commit=None):
    v = {"dotnet": sh("dotnet --version") if shutil.which("dotnet") else "not found",
         "python3": f"{platform.python_version()} ({sys.executable})"}
    for mod in ("zarr", "numpy", "numcodecs", "dask"):
        try:
            v[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - report what is missing, don't fail the report
            v[mod] = "not installed"
    try:
        import numcodecs.blosc as nb
        v["c-blosc (numcodecs)"] = f"{nb.VERSION_STRING}, {nb.get_nthreads()} threads"
    except Exception:  # noqa: BLE001
        pass
    rev = sh("git -C '%s' rev-parse --short HEAD" % os.path.dirname(os.path.abspath(__file__)))
    dirty = sh("git -C '%s' status --porcelain -- src bench/Runner" % os.path.dirname(os.path.abspath(__file__)))
    here = rev + (" (src or runner modified)" if dirty else "") if rev else ""
    if recorded_commit:
        # the commit run.sh recorded with the results; the report may be regenerated later, from another commit
        v["ChunkCompute commit"] = recorded_commit + (f" (the run; report written at {here})" if here and here != recorded_commit else "")
    elif here:
        v["ChunkCompute commit"] = here
    return v


def relative_to_repo(command):
    """The command with the repository's absolute path shortened to a relative one."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return command.replace(root + "/", "")


def load(path):
    runs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    return runs


def summarize(runs):
    """Per case, per tool: statistics over the timed runs (rep >= 1), in first-seen order."""
    cases = {}
    for r in runs:
        c = cases.setdefault(r["case"], {"target": r.get("target"), "tools": {}, "peer": None,
                                         "metric": r.get("metric") or "throughput",
                                         "rss_limit": r.get("rss_limit_mib"),
                                         "rel_tol": r.get("checksum_rel_tol")})
        if r["role"] == "peer":
            c["peer"] = r["tool"]
        t = c["tools"].setdefault(r["tool"], {"seconds": [], "rss": [], "bytes": r["bytes"],
                                              "command": r["command"], "checksum": r["checksum"], "us": [],
                                              "extra": r.get("extra", {}), "timed_extras": []})
        if r["rep"] >= 1:
            t["timed_extras"].append(r.get("extra", {}))
            if "us_per_task" in r.get("extra", {}):
                t["us"].append(r["extra"]["us_per_task"])
            if r.get("load_before") is not None:
                c.setdefault("loads", []).append(r["load_before"])
            t["seconds"].append(r["seconds"])
            t["rss"].append(r["max_rss_kib"])
    for c in cases.values():
        for t in c["tools"].values():
            s = t["seconds"]
            t["median"] = statistics.median(s)
            t["min"] = min(s)
            t["max"] = max(s)
            t["gbps"] = t["bytes"] / t["median"] / 1e9
            t["rss_mib"] = max(t["rss"]) / 1024
            t["us_median"] = statistics.median(t["us"]) if t["us"] else None
            t["us_min"] = min(t["us"]) if t["us"] else None
        cc, peer = c["tools"].get(CC), c["tools"].get(c["peer"])
        floor = c["tools"].get(FLOOR)
        c["vs_floor"] = c["vs_floor_min"] = c["floor_verdict"] = None
        if cc and floor:
            # time ratio: how many times its floor's time ChunkCompute takes (1.0 = at the floor)
            c["vs_floor"] = cc["median"] / floor["median"]
            c["vs_floor_min"] = cc["min"] / floor["min"]
            c["floor_verdict"] = "PASS" if c["vs_floor"] <= FLOOR_TARGET else "MISS"
        c["ratio"] = cc["gbps"] / peer["gbps"] if cc and peer else None
        c["ratio_min"] = peer["min"] / cc["min"] if cc and peer else None
        c["verdict"] = None
        if c["metric"] == "us_per_task" and cc and peer:
            c["ratio"] = peer["us_median"] / cc["us_median"]  # how many times cheaper a task is
            c["ratio_min"] = peer["us_min"] / cc["us_min"]
            c["value"], c["value_min"] = cc["us_median"], cc["us_min"]
        elif c["metric"] == "rss_mib" and cc:
            c["value"] = c["value_min"] = cc["rss_mib"]
        if c["target"] is not None and cc:
            if c["metric"] == "throughput" and c["ratio"] is not None:
                c["verdict"] = "PASS" if c["ratio"] >= c["target"] else "MISS"
            elif c["metric"] in ("us_per_task", "rss_mib"):
                c["verdict"] = "PASS" if c["value"] <= c["target"] else "MISS"
    return cases


def tool_label(tool):
    return {CC: "ChunkCompute", FLOOR: "floor (copy + decode)"}.get(tool, tool)


def floor_line(c):
    """The per-case floor sentence: the floor's median time and ChunkCompute / floor against the 1.25x target."""
    floor = c["tools"][FLOOR]
    threads = floor["extra"].get("threads")
    cores = "both cores" if threads == 2 else f"{threads} threads" if threads else "every core"
    reads = floor["extra"].get("reads", "")
    pieces = floor["extra"].get("decode") == "pieces"
    line = (f"**Floor (page-cache copy + decode, {cores}): {floor['median']:.3f} s median; ChunkCompute / floor: "
            f"{c['vs_floor']:.2f}×** — target ≤ {FLOOR_TARGET:g}×: **{c['floor_verdict']}**")
    if c["floor_verdict"] == "MISS":
        line += f" (the limit is {floor['median'] * FLOOR_TARGET:.3f} s)"
    how = ("block by block, decoded in cache-sized pieces" if pieces else
           f"{'block by block' if reads == 'blocks' else 'whole'}, decoded whole")
    line += (f". On the best (min) times: {c['vs_floor_min']:.2f}×. The floor read the chunk files "
             f"{how}, as the engine does ({floor['extra'].get('files', '?'):,} chunk files, {floor['extra'].get('compressed_bytes', 0) / 2**20:,.0f} MiB "
             f"stored, {floor['extra'].get('decoded_bytes', 0) / 2**20:,.0f} MiB decoded).")
    return line


def summary_table(cases, disk):
    """The table at the top of the report: per case, ChunkCompute's median, the ratio to its peer, and to its floor."""
    L = ["| case | ChunkCompute median s | peer | vs peer | target | verdict | vs floor |",
         "| --- | ---: | --- | ---: | ---: | --- | ---: |"]
    for name, c in cases.items():
        cc = c["tools"].get(CC)
        if cc is None:
            continue
        if c["metric"] == "us_per_task":
            vs_peer = f"{c['ratio']:.2f}× cheaper per task" if c["ratio"] is not None else "—"
            target = f"≤ {c['target']:g} µs/task" if c["target"] is not None else "—"
        elif c["metric"] == "rss_mib":
            vs_peer = f"{c['ratio']:.2f}×" if c["ratio"] is not None else "—"
            target = f"RSS ≤ {c['target']:g} MiB" if c["target"] is not None else "—"
        else:
            vs_peer = f"{c['ratio']:.2f}×" if c["ratio"] is not None else "—"
            target = f"≥ {c['target']:g}×" if c["target"] is not None else "—"
        verdict = c["verdict"] or "—"
        if c.get("rss_limit") is not None and c["metric"] != "rss_mib":
            verdict += f"; RSS {'PASS' if cc['rss_mib'] <= c['rss_limit'] else 'MISS'}"
        vs_floor = f"{c['vs_floor']:.2f}× {c['floor_verdict']}" if c["vs_floor"] is not None else "—"
        if name in disk:
            d = disk_time(disk[name])
            vs_floor = f"{cc['median'] / d['seconds']:.2f}× disk ({'PASS' if cc['median'] / d['seconds'] <= DISK_TARGET else 'MISS'}, ≤ {DISK_TARGET:g}×)"
        L.append(f"| `{name}` | {cc['median']:.3f} | {c['peer'] or '—'} | {vs_peer} | {target} | {verdict} | {vs_floor} |")
    return L


def nice_ceiling(x):
    """The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) that is at least x."""
    power = 10.0 ** math.floor(math.log10(x)) if x > 0 else 1.0
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * power >= x:
            return m * power
    return 10 * power


def svg_chart(cases, title):
    """A grouped bar chart (median throughput per case, ChunkCompute beside its peer), written by hand."""
    names = [n for n, c in cases.items() if c["metric"] != "us_per_task"]
    cases = {n: cases[n] for n in names}
    width_per_case, left, top, bottom, plot_h = 280, 70, 50, 84, 260
    width = left + width_per_case * len(names) + 200
    height = top + plot_h + bottom
    peak = max(t["gbps"] for c in cases.values() for t in c["tools"].values())
    ymax = nice_ceiling(peak * 1.15)
    colors = {CC: "#1f77b4", "peer": "#ff7f0e"}
    e = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="15" font-weight="bold">{e(title)}</text>']
    # axis and grid
    for i in range(6):
        v = ymax * i / 5
        y = top + plot_h - plot_h * i / 5
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 160}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
    out.append(f'<text x="16" y="{top + plot_h / 2}" transform="rotate(-90 16 {top + plot_h / 2})" '
               f'text-anchor="middle">throughput, GB/s (median)</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 160}" y2="{top + plot_h}" stroke="black"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>')
    bar_w = 60
    for i, name in enumerate(names):
        c = cases[name]
        x0 = left + i * width_per_case + (width_per_case - 2 * bar_w - 10) / 2
        for j, (tool, role) in enumerate(((CC, CC), (c["peer"], "peer"))):
            t = c["tools"].get(tool)
            if t is None:
                continue
            h = plot_h * t["gbps"] / ymax
            x = x0 + j * (bar_w + 10)
            y = top + plot_h - h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w}" height="{h:.1f}" fill="{colors[role]}">'
                       f'<title>{e(tool)}: {t["gbps"]:.2f} GB/s</title></rect>')
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{t["gbps"]:.2f}</text>')
            short = "ChunkCompute" if tool == CC else tool
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" font-size="10" '
                       f'fill="#444">{e(short)}</text>')
        cx = left + i * width_per_case + width_per_case / 2
        out.append(f'<text x="{cx:.1f}" y="{top + plot_h + 34}" text-anchor="middle">{e(name)}</text>')
        if c["ratio"] is not None:
            label = f'{c["ratio"]:.2f}× vs {c["peer"]}'
            if c["metric"] == "rss_mib":
                label = f'RSS {c["value"]:.0f} MiB ({c["verdict"]}, target ≤ {c["target"]:g})'
            elif c["verdict"]:
                label += f' ({c["verdict"]}, target {c["target"]:g}×)'
            out.append(f'<text x="{cx:.1f}" y="{top + plot_h + 52}" text-anchor="middle" fill="#444">{e(label)}</text>')
    # legend
    lx = width - 150
    out.append(f'<rect x="{lx}" y="{top}" width="12" height="12" fill="{colors[CC]}"/>'
               f'<text x="{lx + 18}" y="{top + 10}">ChunkCompute</text>')
    out.append(f'<rect x="{lx}" y="{top + 20}" width="12" height="12" fill="{colors["peer"]}"/>'
               f'<text x="{lx + 18}" y="{top + 30}">peer (named below)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def latency_lines(c):
    """Per-operation latencies the append and commit cases report (median over a run's steps, median over timed runs)."""
    def med(key):
        vals = {}
        for tool, t in c["tools"].items():
            xs = [e[key] for e in t["timed_extras"] if key in e]
            if xs:
                vals["ChunkCompute" if tool == CC else tool] = statistics.median(xs)
        return vals

    def fmt(vals):
        return ", ".join(f"{tool} {v:.1f} ms" for tool, v in vals.items())

    L = []
    steps = med("median_step_ms")
    if steps:
        any_t = next(iter(c["tools"].values()))["extra"]
        L.append(f"Median time of one append ({any_t.get('steps')} steps of {any_t.get('step_bytes', 0) / 2**20:.0f} MiB, "
                 f"each one commit for ChunkCompute; median over the timed runs): {fmt(steps)}.")
        L.append("")
    small, large = med("latency_small_base_ms"), med("latency_large_base_ms")
    if small and large:
        any_t = next(iter(c["tools"].values()))["extra"]
        L.append(f"Median latency of one append of {any_t.get('step_bytes', 0) / 2**20:.0f} MiB (median over the timed runs) "
                 f"onto the small base array ({any_t.get('base_small_bytes', 0) / 2**20:,.0f} MiB): {fmt(small)}; onto the large "
                 f"base array ({any_t.get('base_large_bytes', 0) / 2**20:,.0f} MiB): {fmt(large)}. Large / small: "
                 + ", ".join(f"{tool} {large[tool] / small[tool]:.2f}×" for tool in small if tool in large) + ".")
        L.append("")
    commits = med("median_commit_ms")
    if commits:
        L.append(f"Median latency of one small commit (median over the timed runs): {fmt(commits)}.")
        L.append("")
    return L


def mem_total_bytes():
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return 0


def disk_time(reads):
    """The disk's read of the cold case's stored bytes, measured in the same run: mean seconds and rate of the reads
    (before and after the case), and whether every read bypassed the page cache (O_DIRECT)."""
    return {"seconds": statistics.mean(r["seconds"] for r in reads),
            "gbps": statistics.mean(r["gbps"] for r in reads),
            "direct": all(r.get("direct") for r in reads),
            "bytes": reads[0]["bytes"]}


def disk_lines(c, reads):
    """The cold case's comparison with the disk's sequential read measured in the same run."""
    if not reads:
        return []
    d = disk_time(reads)
    stored = reads[0]["bytes"]
    logical = next(iter(c["tools"].values()))["bytes"]
    mem = mem_total_bytes()
    if d["direct"]:
        how = "O_DIRECT, 8 MiB reads: the disk, not the page cache"
    elif any("direct" not in r for r in reads):
        how = ("**not O_DIRECT**: recorded before coldcache.py's diskread used O_DIRECT, read through the page cache "
               "after dropping it, 16 MiB reads")
    else:
        how = ("**not O_DIRECT** (the file system refused it; read through the page cache after dropping it: "
               + "; ".join(sorted({r.get("fallback", "?") for r in reads if not r.get("direct")})) + ")")
    L = [f"Array: {logical / 2**30:.1f} GiB logical, {stored / 2**30:.1f} GiB on disk in {reads[0]['files']:,} chunk "
         f"files (compression ratio {logical / stored:.3f}); machine memory {mem / 2**30:.1f} GiB: "
         + ("**larger than RAM**." if logical > mem else
            "**not larger than RAM** (a plumbing run at a small HUGE_GIB; the page cache is still dropped before each run)."),
         "",
         f"**Disk sequential read of the stored bytes: {d['seconds']:.2f} s, {d['gbps']:.2f} GB/s** ("
         + ", ".join(f"{r['when']} the case {r['seconds']:.2f} s, {r['gbps']:.2f} GB/s" for r in reads)
         + f"; {how}; page cache dropped by {reads[0]['cache']}).", ""]
    for line in disk_summary(c, reads):
        L.append(f"- {line}")
    L.append("")
    cc = c["tools"].get(CC)
    if cc:
        ratio = cc["median"] / d["seconds"]
        verdict = "PASS" if ratio <= DISK_TARGET else "MISS"
        line = (f"**ChunkCompute / disk read time: {ratio:.2f}×** ({cc['median']:.2f} s median against the disk's "
                f"{d['seconds']:.2f} s) — target ≤ {DISK_TARGET:g}×: **{verdict}**")
        if not d["direct"]:
            line += " (the disk time was not measured with O_DIRECT: see above)"
        L.append(line + ".")
        L.append("")
    return L


def disk_summary(c, reads):
    """One line per tool: its read rate of stored bytes (median time) as a share of the disk's, and its time / the disk's."""
    d = disk_time(reads)
    disk, stored = d["gbps"], reads[0]["bytes"]
    out = []
    for tool, t in c["tools"].items():
        rate = stored / t["median"] / 1e9
        out.append(f"{tool_label(tool)} reads at {rate:.2f} GB/s of stored bytes ({t['gbps']:.2f} GB/s logical, median "
                   f"{t['median']:.1f} s = {t['median'] / d['seconds']:.2f}× the disk's {d['seconds']:.1f} s, peak RSS "
                   f"{t['rss_mib']:.0f} MiB) = {rate / disk * 100:.0f}% of the disk's sequential read rate ({disk:.2f} GB/s)")
    return out


def markdown(cases, size, command, svg_name, disk=None, recorded=None):
    disk = disk or {}
    recorded = recorded or {}
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L = ["# ChunkCompute benchmark results", ""]
    first, last = recorded.get("first"), recorded.get("last")
    if first and last:
        # when the runs were recorded (run.sh stamps each), not when this report was written
        span = first[:16].replace("T", " ") + ("" if last[:16] == first[:16] else "–" + last[11:16]) + " UTC"
        written = "" if now.startswith(last[:16].replace("T", " ")) else f" (the runs; report written {now})"
        L.append(f"- Date: {span}{written}")
    else:
        L.append(f"- Date: {now}")
    L.append(f"- Size: **{SIZE_LABELS.get(size, size)}**")
    L.append(f"- Reproduce: `{command}` (from the repository root)")
    L.append("")
    L.append(f"![throughput per case]({svg_name})")
    L.append("")
    floors = any(c["vs_floor"] is not None for c in cases.values())
    L.append("## Summary table")
    L.append("")
    L.append("ChunkCompute's median time per case; vs peer as in each case's section (throughput ratio, or per-task cost); "
             "vs floor: ChunkCompute's median time / its floor's, the page-cache copy plus decode of the same files on "
             "every core, measured in the same run (read-bound cases only; for a cold case, / the disk's O_DIRECT read "
             "time of the stored bytes, target ≤ 1.1×). Verdicts and their robustness: see each case and the Summary.")
    L.append("")
    L.extend(summary_table(cases, disk))
    L.append("")
    L.append("## Method")
    L.append("")
    L.append("- Each case runs ChunkCompute's runner (`bench/Runner`, Release, published self-contained composite "
             "ReadyToRun as a startup-sensitive .NET command-line tool is shipped: `bench/run.sh` step 2) and its peer as separate processes on the "
             "same data, generated deterministically by `bench/gen_data.py` with zarr-python.")
    if disk:
        L.append("- **Cold cache:** before every run (warm-ups included) the array's files are evicted from the page "
                 "cache (`sync`, `echo 3 > /proc/sys/vm/drop_caches` when permitted, and `posix_fadvise(DONTNEED)` on "
                 "each file: `bench/coldcache.py`), so every run reads the store from the disk. The disk's sequential "
                 "read time of the stored bytes is measured in the same run, on the same files, before and after the "
                 "case: one thread reading every chunk file once in key order with `O_DIRECT` (8 MiB aligned reads, "
                 "the last partial block read at its aligned size and only the file's bytes counted), so the page "
                 "cache plays no part; the target is ChunkCompute's median time ≤ 1.1× that time. Each tool still has "
                 "one untimed warm-up run first.")
    else:
        L.append("- The page cache is **not** dropped (that needs privileges a developer machine may lack). Instead each "
                 "tool has one untimed warm-up run first, and before every run the case's input array is read once more, "
                 "untimed (`coldcache.py warm`: this VM's host pages out guest memory left idle, which evicted data "
                 "between runs), so both read the store from a **warm** page cache: these numbers measure decode and "
                 "copy, not the disk.")
    L.append("- Before any run, `bench/prefault.py` touches and frees "
             + ("2 GiB" if size == "huge" else "3x the largest array's size") + " once: on a VM whose "
             "host backs guest memory lazily, first-ever touches of guest pages cost ~25x a normal page fault and "
             "would otherwise land on whichever run first receives such pages.")
    L.append("- Then the timed runs alternate between the two tools (ChunkCompute first on odd repetitions, the peer "
             "first on even ones; a case marked `min_reps` in `bench/cases.sh`, a short whole process, runs at least "
             "that many repetitions, so that host stalls in one or two runs do not decide its median). `seconds` is "
             "measured inside each process around the operation only (no process start, no imports, no opening of the "
             "store); peak RSS is `/usr/bin/time -v`'s maximum resident set of the whole process (runtime or "
             "interpreter included), the largest over the timed runs.")
    L.append("- Every run starts after a `sync`, so no run pays for writing back another's dirty pages (a peer "
             "that does not fsync leaves ~1 GiB dirty after a write case, and the kernel throttles the next writer "
             "while it flushes).")
    L.append("- Throughput is logical (decoded) bytes / median seconds, in GB/s (1 GB = 10^9 bytes). Ratio = "
             "ChunkCompute's median throughput / the peer's.")
    L.append("- Each tool prints a checksum (sum of the values); the harness fails unless all runs agree to 1e-6 relative "
             "(or to the case's own tolerance, given with the case's checksum below when it has one).")
    if floors:
        L.append("- **Floor** (read-bound cases: `floor_of` in `bench/cases.sh`): in the same run, as a third process "
                 "with the same warm-up and warm page cache as the tools' (its warm-up untimed, then one timed run per "
                 "repetition, between the two tools'), `ChunkCompute.Bench floor-run` does the work no reader of the "
                 "array can avoid: on every core (one thread per core, taking chunk files in turn), each stored chunk "
                 "file is read from the page cache and decoded with the library's own `BloscCodec` the way the engine "
                 "does it: block by block, each block decoded into a cache-sized piece buffer (the codec's piece "
                 "reader over the file, as reductions and chains read stored chunks), or, for a whole-array read, each "
                 "file in one read into a reused per-thread buffer and decoded whole into a reused per-thread buffer "
                 "(as `ZarrArray.Read` reads chunks); nothing is reduced and no result array is written. Its `seconds` is the wall time of the whole. "
                 "ChunkCompute / floor = ChunkCompute's median time / the floor's median time (issue 21's target: "
                 "≤ 1.25×); it shows how far the case is from that limit, not only from the peer. The floor computes "
                 "nothing, so it has no checksum; the harness checks that it read the case's logical bytes.")
    L.append("")
    L.append("## Results")
    L.append("")
    misses = []
    for name, c in cases.items():
        L.append(f"### `{name}`")
        L.append("")
        any_t = next(iter(c["tools"].values()))
        if c.get("rel_tol") not in (None, 1e-6):
            sums = ", ".join(f"{tool_label(tool)} {t['checksum']!r}" for tool, t in c["tools"].items() if tool != FLOOR)
            L.append(f"Logical bytes: {any_t['bytes']:,} ({any_t['bytes'] / 2**20:,.0f} MiB); checksums {sums} "
                     f"(checked to {c['rel_tol']:g} relative: this case's own tolerance, see bench/cases.sh).")
        else:
            L.append(f"Logical bytes: {any_t['bytes']:,} ({any_t['bytes'] / 2**20:,.0f} MiB); checksum {any_t['checksum']!r}.")
        L.append("")
        L.append(f"Metric: {c['metric']} ({METRIC_HELP[c['metric']]}).")
        L.append("")
        if c["metric"] == "us_per_task":
            L.append("| tool | timed runs | tasks | median s | min s | max s | µs/task (median) | µs/task (min) | peak RSS MiB |")
            L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for tool, t in c["tools"].items():
                label = "ChunkCompute" if tool == CC else tool
                L.append(f"| {label} | {len(t['seconds'])} | {t['extra'].get('tasks', '?'):,} | {t['median']:.3f} | "
                         f"{t['min']:.3f} | {t['max']:.3f} | {t['us_median']:.2f} | {t['us_min']:.2f} | {t['rss_mib']:.0f} |")
        else:
            L.append("| tool | timed runs | median s | min s | max s | throughput GB/s (median) | peak RSS MiB |")
            L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for tool, t in c["tools"].items():
                label = tool_label(tool)
                L.append(f"| {label} | {len(t['seconds'])} | {t['median']:.3f} | {t['min']:.3f} | {t['max']:.3f} | "
                         f"{t['gbps']:.2f} | {t['rss_mib']:.0f} |")
        L.append("")
        L.extend(disk_lines(c, disk.get(name)))
        if name in disk and CC in c["tools"]:
            d = disk_time(disk[name])
            if c["tools"][CC]["median"] / d["seconds"] > DISK_TARGET:
                misses.append(name + " (disk time)")
        cc = c["tools"].get(CC)
        if cc and "budget_bytes" in cc["extra"] and (c["metric"] == "rss_mib" or name in disk):
            L.append(f"Memory budget {cc['extra']['budget_bytes'] / 2**20:.0f} MiB; the engine's own accounting peaked at "
                     f"{cc['extra'].get('peak_accounted_bytes', 0) / 2**20:.0f} MiB (projected "
                     f"{cc['extra'].get('projected_peak_bytes', 0) / 2**20:.0f} MiB); tasks {cc['extra'].get('tasks')}.")
            L.append("")
        if c["metric"] in ("us_per_task", "rss_mib") and c["target"] is not None and cc:
            unit = "µs/task" if c["metric"] == "us_per_task" else "MiB peak RSS"
            line = f"**ChunkCompute: {c['value']:.2f} {unit}** — target ≤ {c['target']:g}: **{c['verdict']}**"
            if c["verdict"] == "MISS":
                line += f" ChunkCompute misses the target on this case ({c['value'] / c['target']:.2f}× the limit)."
                misses.append(name)
            L.append(line)
            L.append("")
            if c["metric"] == "us_per_task" and c["ratio"] is not None:
                L.append(f"Per task, ChunkCompute is {c['ratio']:.2f}× cheaper than {c['peer']} (medians; "
                         f"{c['ratio_min']:.2f}× on the best runs).")
                L.append("")
            if c["metric"] == "rss_mib" and c["ratio"] is not None:
                L.append(f"Throughput (informational): ChunkCompute / {c['peer']} {c['ratio']:.2f}×.")
                L.append("")
        elif c["ratio"] is not None:
            line = f"**Ratio ChunkCompute / {c['peer']}: {c['ratio']:.2f}×**"
            if c["verdict"]:
                line += f" — target ≥ {c['target']:g}×: **{c['verdict']}**"
                if c["verdict"] == "MISS":
                    line += f". ChunkCompute misses the target on this case (short by {c['target'] / c['ratio']:.2f}×)."
                    misses.append(name)
            L.append(line)
            L.append("")
            L.append(f"Ratio of the best (min) times, the runs least disturbed by other work: {c['ratio_min']:.2f}×.")
            L.append("")
            if c["target"] is not None and (c["ratio_min"] >= c["target"]) != (c["ratio"] >= c["target"]):
                L.append(f"**Not robust:** the verdict on the best times is "
                         f"{'PASS' if c['ratio_min'] >= c['target'] else 'MISS'}, the opposite of the verdict on the "
                         f"medians: the spread of one tool's times decides it, not the tools' typical speeds. "
                         f"Do not count this case as {c['verdict']} without a quieter rerun.")
                L.append("")
                if c["verdict"] == "PASS":
                    misses.append(name + " (not robust)")
        if c["vs_floor"] is not None:
            L.append(floor_line(c))
            L.append("")
            if c["floor_verdict"] == "MISS":
                misses.append(name + " (floor)")
        if c.get("rss_limit") is not None and cc:
            ok = cc["rss_mib"] <= c["rss_limit"]
            line = (f"**Second target, ChunkCompute's peak RSS: {cc['rss_mib']:.0f} MiB** — target ≤ {c['rss_limit']:g} MiB "
                    f"(budget + 100 MiB): **{'PASS' if ok else 'MISS'}**")
            if not ok:
                line += f". ChunkCompute misses the RSS target ({cc['rss_mib'] / c['rss_limit']:.2f}× the limit)."
                misses.append(name + " (RSS)")
            L.append(line)
            L.append("")
        if cc and "refused_budget_needs_bytes" in cc["extra"]:
            L.append(f"**The scheduler refused the case's budget** of {cc['extra']['budget_bytes'] / 2**20:.0f} MiB: the "
                     f"rechunk planner accepted it, but the whole plan's simulated peak is "
                     f"{cc['extra']['refused_budget_needs_bytes'] / 2**20:.0f} MiB. The timed run is the retry with the "
                     f"compute budget raised to {cc['extra']['compute_budget_bytes'] / 2**20:.0f} MiB (rechunk plan "
                     f"unchanged); the engine's accounting peaked at {cc['extra']['peak_accounted_bytes'] / 2**20:.0f} MiB.")
            L.append("")
        peer_t = c["tools"].get(c["peer"])
        if cc and peer_t and "compression_ratio" in cc["extra"] and "compression_ratio" in peer_t["extra"]:
            a, b = cc["extra"]["compression_ratio"], peer_t["extra"]["compression_ratio"]
            L.append(f"Compression ratio: ChunkCompute {a:.3f}, {c['peer']} {b:.3f} (ratio of ratios {a / b:.3f}); "
                     f"{cc['extra'].get('codec', '')}.")
            L.append("")
        L.extend(latency_lines(c))
        analysis = os.path.join(ANALYSIS, f"{name}.md")
        if os.path.exists(analysis):
            with open(analysis, encoding="utf-8") as f:
                L.append(f.read().strip())
            L.append("")
        loads = c.get("loads")
        if loads:
            ncpu = os.cpu_count() or 1
            line = (f"1-minute load average before the timed runs: {min(loads):.2f} to {max(loads):.2f} "
                    f"on {ncpu} cores.")
            if max(loads) > ncpu * 0.75:
                line += (" **The machine was busy with other work during some runs: treat these numbers, and "
                         "especially max, as noisy; min is the least disturbed.**")
            L.append(line)
            L.append("")
        L.append("Commands (timed runs):")
        L.append("")
        for tool, t in c["tools"].items():
            L.append(f"- {tool}: `{relative_to_repo(t['command'])}`")
        L.append("")
    if size == "huge":
        L.append("> Note: the larger-than-RAM case only (`--size huge`, not run by CI); every other case's results are in "
                 "`bench/RESULTS.md`.")
        L.append("")
    elif size != "full":
        L.append(f"> Note: these are **{size}**-size results, not the `full` (2 GiB) size the targets are stated for.")
        L.append("")
    L.append("## Summary")
    L.append("")
    if misses:
        L.append(f"Targets missed or not robustly met: {', '.join(f'`{m}`' for m in misses)}.")
    else:
        L.append("All cases with a target meet it.")
    L.append("")
    L.append("## Machine")
    L.append("")
    for k, v in machine().items():
        L.append(f"- {k}: {v}")
    L.append("")
    L.append("## Versions")
    L.append("")
    for k, v in versions(recorded.get("commit")).items():
        L.append(f"- {k}: {v}")
    L.append("")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--svg", required=True)
    ap.add_argument("--disk", help="disk read rates of the cold cases (coldcache.py diskread, JSONL)")
    a = ap.parse_args()
    raw = load(a.raw)
    cases = summarize(raw)
    stamps = sorted(r["time"] for r in raw if r.get("time"))
    commits = sorted({r["commit"] for r in raw if r.get("commit")})
    recorded = {"first": stamps[0] if stamps else None, "last": stamps[-1] if stamps else None,
                "commit": ", ".join(commits) if commits else None}
    if not cases:
        sys.exit("report.py: no results")
    disk = {}
    if a.disk:
        for r in load(a.disk):
            if r["case"] in cases:
                disk.setdefault(r["case"], []).append(r)
    for name, reads in disk.items():
        for line in disk_summary(cases[name], reads):
            print(f"[bench] {name}: {line}", file=sys.stderr)
    with open(a.svg, "w", encoding="utf-8") as f:
        f.write(svg_chart(cases, f"ChunkCompute vs peers — size {a.size}"))
    with open(a.md, "w", encoding="utf-8") as f:
        f.write(markdown(cases, a.size, a.command, os.path.basename(a.svg), disk, recorded))


if __name__ == "__main__":
    main()
