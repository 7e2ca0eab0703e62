#!/usr/bin/env python3
"""Peer for the codec_* cases: python-blosc compresses or decompresses a whole .npy file's data in one buffer.

  blosc_codec.py --npy FILE --op compress|decompress [--cname lz4|zstd] [--clevel 5] [--iterations 5] --case NAME

blosc.compress(data, typesize=8, cname=..., shuffle=blosc.SHUFFLE, clevel=...) with blosc.set_nthreads(blosc.ncores). Best of
--iterations after one warm-up. The checksum is the float64 sum of the values after a round trip (untimed).
"""
import argparse
import json
import time

import blosc
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--npy", required=True)
    ap.add_argument("--op", choices=("compress", "decompress"), required=True)
    ap.add_argument("--cname", default="lz4")
    ap.add_argument("--clevel", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--case", required=True)
    args = ap.parse_args()
    blosc.set_nthreads(blosc.ncores)
    data = np.load(args.npy)
    raw = data.tobytes()

    def compress():
        return blosc.compress(raw, typesize=8, cname=args.cname, shuffle=blosc.SHUFFLE, clevel=args.clevel)

    encoded = compress()
    blosc.decompress(encoded)
    best = float("inf")
    for _ in range(args.iterations):
        t0 = time.perf_counter()
        if args.op == "compress":
            encoded = compress()
        else:
            blosc.decompress(encoded)
        best = min(best, time.perf_counter() - t0)
    back = np.frombuffer(blosc.decompress(encoded), dtype=data.dtype)
    print(json.dumps({"case": args.case, "tool": "python-blosc", "seconds": best, "bytes": len(raw),
                      "checksum": float(np.sum(back, dtype=np.float64)),
                      "compressed_bytes": len(encoded), "compression_ratio": len(raw) / len(encoded),
                      "codec": f"python-blosc {blosc.__version__} (c-blosc {blosc.blosclib_version.split()[0]}) "
                               f"{args.cname} clevel {args.clevel} shuffle typesize 8, one buffer, " + str(blosc.ncores) + " threads"}))


if __name__ == "__main__":
    main()
