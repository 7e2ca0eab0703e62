#!/usr/bin/python3
"""Generate Blosc1 test vectors with python-blosc (c-blosc 1.x).

Run: /usr/bin/python3 tests/fixture-scripts/gen_blosc_vectors.py
Writes tests/ChunkCompute.Tests/Fixtures/blosc/<name>.blosc (the frame), raw_ts<typesize>_n<nbytes>.bin (the input,
shared by all frames of the same input) and index.txt (one "<frame name> <raw name>" per line).
Deterministic: inputs come from a fixed LCG, so regenerating gives the same inputs (frames depend on the c-blosc build).
"""
import os
import blosc

OUT = os.path.join(os.path.dirname(__file__), "..", "ChunkCompute.Tests", "Fixtures", "blosc")


def data(n, typesize, seed):
    """Smooth-ish integers per element so shuffle matters, little-endian, n bytes."""
    out = bytearray()
    x = seed
    k = 0
    while len(out) < n:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        v = (k * 7 + (x >> 24)) & ((1 << (8 * typesize)) - 1) if typesize <= 8 else x
        out += v.to_bytes(typesize if typesize <= 8 else 8, "little") + b"\0" * max(0, typesize - 8)
        k += 1
    return bytes(out[:n])


SHUFFLES = {"noshuffle": blosc.NOSHUFFLE, "shuffle": blosc.SHUFFLE, "bitshuffle": blosc.BITSHUFFLE}
CASES = []
for cname in ["lz4", "lz4hc", "zstd", "zlib", "blosclz"]:
    for sname in SHUFFLES:
        for ts in [1, 2, 3, 4, 8, 12, 16]:
            CASES.append((cname, sname, ts, 1500 + 130 * ts, 5))
    CASES.append((cname, "shuffle", 8, 100, 5))        # < 128 bytes: memcpyed
    CASES.append((cname, "shuffle", 4, 4000, 0))       # clevel 0
    CASES.append((cname, "bitshuffle", 4, 4 * 1001, 5))  # elements not a multiple of 8
for ts in [2, 4, 8]:
    # several blocks (forced blocksize 2048), a leftover block, nbytes not a multiple of typesize
    CASES.append(("lz4", "shuffle", ts, 12001, 5))
    CASES.append(("blosclz", "shuffle", ts, 12001, 9))
    CASES.append(("zstd", "bitshuffle", ts, 12001, 5))

os.makedirs(OUT, exist_ok=True)
lines = []
for i, (cname, sname, ts, n, clevel) in enumerate(CASES):
    raw = data(n, ts, ts * 100003 + n)
    blocksize = 2048 if n == 12001 else 0
    blosc.set_blocksize(blocksize)
    enc = blosc.compress(raw, typesize=ts, clevel=clevel, shuffle=SHUFFLES[sname], cname=cname)
    assert blosc.decompress(enc) == raw
    name = f"{cname}_{sname}_ts{ts}_n{n}_c{clevel}"
    with open(os.path.join(OUT, name + ".blosc"), "wb") as f:
        f.write(enc)
    raw_name = f"raw_ts{ts}_n{n}.bin"
    with open(os.path.join(OUT, raw_name), "wb") as f:
        f.write(raw)
    lines.append(f"{name} {raw_name}")
blosc.set_blocksize(0)
with open(os.path.join(OUT, "index.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "vectors")
