#!/usr/bin/env python3
"""Times a whole command as a user runs it (process start, runtime start-up, imports, the work, exit).

  whole_process.py --case NAME --tool TOOL --bytes N [--value json:KEY | --value last]
                   [--sum-zarr STORE ARRAY] [--remove DIR] -- COMMAND...

--remove DIR is deleted before the command (untimed: the output of the previous run). The checksum is the value the
command printed (json:KEY: the key of the JSON object on its last line; last: the last number on its last line), or
with --sum-zarr the float64 sum of the array the command wrote (ARRAY / for the store's root), read with zarr after the clock stops. Prints one JSON
line {"case", "tool", "seconds", "bytes", "checksum"}; seconds is the command's wall time.
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--bytes", type=int, required=True)
    ap.add_argument("--value", default="last")
    ap.add_argument("--sum-zarr", nargs=2, metavar=("STORE", "ARRAY"))
    ap.add_argument("--remove")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command")
    if args.remove:
        shutil.rmtree(args.remove, ignore_errors=True)
    t0 = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        sys.exit(f"whole_process.py: {command[0]} exited {done.returncode}")
    if args.sum_zarr:
        import numpy as np
        import zarr
        path = "" if args.sum_zarr[1] == "/" else args.sum_zarr[1]
        z = zarr.open_array(args.sum_zarr[0], path=path, mode="r")
        # chunk by chunk, so this process stays smaller than the command it measures (/usr/bin/time's peak RSS is
        # the largest of the two)
        blocks = [range(0, n, c) for n, c in zip(z.shape, z.chunks)]
        checksum = 0.0
        for start in __import__("itertools").product(*blocks):
            region = tuple(slice(s, s + c) for s, c in zip(start, z.chunks))
            checksum += float(np.sum(z[region], dtype=np.float64))
    else:
        line = done.stdout.strip().splitlines()[-1]
        if args.value.startswith("json:"):
            checksum = float(json.loads(line)[args.value[5:]])
        else:
            checksum = float(re.findall(r"[-+0-9.eE]+", line)[-1])
    print(json.dumps({"case": args.case, "tool": args.tool, "seconds": seconds, "bytes": args.bytes, "checksum": checksum}))


if __name__ == "__main__":
    main()
