"""Per-task overhead of Dask's threaded scheduler: an in-memory array of one-element chunks, computed end to end."""
import argparse, json, time
import numpy as np
import dask
import dask.array as da

p = argparse.ArgumentParser()
p.add_argument("--count", type=int, default=100000)
p.add_argument("--case", default="tasks")
a = p.parse_args()
x = da.from_array(np.arange(a.count, dtype="f8"), chunks=1)
t = time.perf_counter()
r = x.compute(scheduler="threads")
s = time.perf_counter() - t
assert np.array_equal(r, np.arange(a.count, dtype="f8"))
tasks = len(dict(x.__dask_graph__()))
# bytes and checksum describe this run only: ChunkCompute runs more tasks, so the harness compares µs per task
print(json.dumps({"case": a.case, "tool": "dask", "seconds": s, "bytes": int(r.nbytes), "checksum": float(r.sum()),
                  "tasks": tasks, "us_per_task": s * 1e6 / tasks, "dask": dask.__version__}))
