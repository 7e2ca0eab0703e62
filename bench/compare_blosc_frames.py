#!/usr/bin/env python3
"""Compares a Blosc frame written by ChunkCompute (bench runner: codec --save FRAME) with python-blosc's (c-blosc 1.x)
for the same .npy data and settings: byte equality, sizes, and that each decodes the other's input.

  compare_blosc_frames.py --npy FILE --frame FRAME [--cname lz4] [--clevel 5] [--typesize 8]
"""
import argparse

import blosc
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--npy", required=True)
    ap.add_argument("--frame", required=True)
    ap.add_argument("--cname", default="lz4")
    ap.add_argument("--clevel", type=int, default=5)
    ap.add_argument("--typesize", type=int, default=8)
    args = ap.parse_args()
    blosc.set_nthreads(1)  # with more threads c-blosc lays blocks out in completion order
    raw = np.load(args.npy).tobytes()
    ours = open(args.frame, "rb").read()
    theirs = blosc.compress(raw, typesize=args.typesize, cname=args.cname, shuffle=blosc.SHUFFLE, clevel=args.clevel)
    lz4 = [line.split()[-1] for line in open("/proc/self/maps") if "liblz4" in line][:1]
    print(f"ours {len(ours)} B, c-blosc {blosc.blosclib_version.split()[0]} {len(theirs)} B, "
          f"identical: {ours == theirs}, c-blosc decodes ours: {blosc.decompress(ours) == raw}, "
          f"liblz4 loaded by python: {lz4[0] if lz4 else 'none (bundled)'}")


if __name__ == "__main__":
    main()
