#!/usr/bin/env python3
"""Splits a `perf record -g` profile of a rechunk_2d run into phases by the frames on each sample's stack.

  perf script -i perf.data -F comm,tid,ip,sym > stacks.txt; perf_phases.py stacks.txt

Each sample is charged to the first phase (in the order below) whose marker occurs in its stack; the JIT frames need
DOTNET_PerfMapEnabled=1 (and DOTNET_EnableWriteXorExecute=0) in the profiled process. Prints samples and shares.
"""
import collections
import sys

PHASES = [  # (phase, markers); the first match wins
    ("checksum read-back (untimed)", ["Program::Rechunk("]),
    ("fsync / commit", ["Fsync", "FlushToDisk", "::Commit", "fsync"]),
    ("write staged files (kernel copy into page cache)", ["WriteStaged", "TransactionView::Set", "ksys_write"]),
    ("encode: shuffle", ["BlockShuffle", "ByteShuffle::Shuffle("]),
    ("encode: LZ4 compress", ["LZ4_compress"]),
    ("encode: frame assembly / other", ["BloscEncoder", "CodecPipeline::Encode"]),
    ("write path: chunk buffer fill + copy + empty check", ["WriteOne", "FillPattern", "IsAllPattern", "WriteCore"]),
    ("read + decode", ["ReadChunkInto", "ReadPooled", "BloscDecoder", "LZ4_decompress", "Unshuffle", "ZarrSourceNode"]),
    ("copy into bands (RechunkNode)", ["RechunkNode", "NdCopy"]),
    ("GC", ["gc_heap", "GCHeap", "WKS::"]),
]


def main():
    counts = collections.Counter()
    stack = []
    total = 0

    def flush():
        nonlocal total
        if not stack:
            return
        total += 1
        text = "\n".join(stack)
        for name, markers in PHASES:
            if any(m in text for m in markers):
                counts[name] += 1
                return
        counts["other (runtime, scheduler, kernel elsewhere)"] += 1

    for line in open(sys.argv[1], errors="replace"):
        if not line.strip():
            flush()
            stack = []
        else:
            stack.append(line.strip())
    flush()
    for name, n in counts.most_common():
        print(f"{n / total:6.1%}  {n:6d}  {name}")
    print(f"{total} samples")


if __name__ == "__main__":
    main()
