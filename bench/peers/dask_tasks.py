"""Per-task overhead of Dask's threaded scheduler: an in-memory array of one-element chunks, computed end to end."""
import argparse, json, time
import numpy as np
import dask
import dask.array as da

p = argparse.ArgumentParser()
p.add_argument("--count", type=int, default=100000)
a = p.parse_args()
x = da.from_array(np.arange(a.count, dtype="f8"), chunks=1)
t = time.perf_counter()
r = x.compute(scheduler="threads")
s = time.perf_counter() - t
assert r[-1] == a.count - 1
tasks = len(dict(x.__dask_graph__()))
print(json.dumps({"case": "tasks", "tool": "dask", "tasks": tasks, "seconds": s, "us_per_task": s * 1e6 / tasks, "dask": dask.__version__}))
