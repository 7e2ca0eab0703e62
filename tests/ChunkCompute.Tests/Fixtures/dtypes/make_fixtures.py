# Regenerates the dtype fixtures with zarr-python 2 (Debian python3-zarr 2.13) and NumPy:
#   cd tests/ChunkCompute.Tests/Fixtures/dtypes && /usr/bin/python3 make_fixtures.py
# v2.zarr: complex and datetime arrays written by zarr-python; v3.zarr: zarr.json documents as zarr-python 3
# writes them (numpy.datetime64 extension type, complex [re, im] fill values) with raw chunk bytes from NumPy.
# expected.json: every array's elements and NumPy results as little-endian hex.
import json, os, shutil
import numpy as np
import numcodecs
import zarr

rng = np.random.default_rng(14)
out = {}
def hexof(a):
    a = np.asarray(a)
    return a.astype(a.dtype.newbyteorder('<')).tobytes().hex()

shutil.rmtree('v2.zarr', ignore_errors=True)
shutil.rmtree('v3.zarr', ignore_errors=True)
root = zarr.open_group('v2.zarr', mode='w')

def halves(shape):
    return (rng.integers(-8, 9, shape) / 2 + 1j * (rng.integers(-8, 9, shape) / 2))

a = halves((5, 4)); a[0, 1] = complex(np.nan, 1); a[4, 3] = complex(np.inf, -2)
b = halves((5, 4)); b[b == 0] = 1 + 0.5j
clean = halves((5, 4))
for name, arr, dt, comp, fill in [
        ('c16', a, '<c16', numcodecs.Zlib(1), complex(0.5, np.nan)),
        ('c16b', b, '>c16', None, 0j),
        ('c16clean', clean, '<c16', numcodecs.Blosc('lz4', 5, 1), None),
        ('c8', a.astype('c8'), '<c8', numcodecs.Blosc('zstd', 3, 2), complex(np.nan, -1)),
        ('c8b', b.astype('c8'), '>c8', numcodecs.Zstd(3), 1 + 2j),
        ('c8clean', clean.astype('c8'), '>c8', None, None)]:
    z = root.create_dataset(name, shape=arr.shape, chunks=(2, 3), dtype=dt, compressor=comp, fill_value=fill)
    z[:] = arr
    out[name] = hexof(arr.astype(dt))
for p, x, y, c in [('c16', a, b, clean), ('c8', a.astype('c8'), b.astype('c8'), clean.astype('c8'))]:
    with np.errstate(all='ignore'):
        out[p + '_add'] = hexof(x + y); out[p + '_sub'] = hexof(x - y)
        out[p + '_mul'] = hexof(x * y); out[p + '_div'] = hexof(x / y)
        out[p + '_abs'] = hexof(np.abs(x)); out[p + '_conj'] = hexof(np.conj(x))
        out[p + '_real'] = hexof(x.real.copy()); out[p + '_imag'] = hexof(x.imag.copy())
        out[p + '_sum'] = hexof(x.sum()); out[p + '_sum0'] = hexof(x.sum(axis=0))
        out[p + '_mean0'] = hexof(x.mean(axis=0)); out[p + '_clean_sum'] = hexof(c.sum())
        out[p + '_clean_mean'] = hexof(c.mean()); out[p + '_clean_prod0'] = hexof(c.prod(axis=0))
        out[p + '_clean_mean1'] = hexof(c.mean(axis=1))

nat = np.datetime64('NaT')
t = np.array(['2021-03-04T05:06:07.123456789', 'NaT', '1969-12-31T23:59:59', '2262-04-11T00:00:00', '1970-01-01', 'NaT'], dtype='M8[ns]')
u = np.array(['2021-03-04', '2000-01-01', 'NaT', '1677-09-22', '1970-01-01T00:00:00.000000001', '2001-01-01'], dtype='M8[ns]')
tclean = np.array(['2021-03-04', '2000-01-01', '2030-05-05', '1677-09-22', '1970-01-01T00:00:00.000000001', '2001-01-01'], dtype='M8[ns]')
d = np.array([[3, -5, 7, 0], [-9, 11, 2, 2], [4, 4, -100, 8]], dtype='M8[D]'); d[1, 2] = nat
td = np.array([[10, -20, 30], [40, -50, 60]], dtype='m8[s]'); td[0, 2] = np.timedelta64('NaT')
for name, arr, dt, comp, fill in [
        ('M8ns', t, '<M8[ns]', numcodecs.Zlib(1), nat),
        ('M8ns_b', u, '<M8[ns]', None, None),
        ('M8ns_clean', tclean, '>M8[ns]', None, 0),
        ('M8D', d, '<M8[D]', numcodecs.Blosc('lz4', 5, 1), np.datetime64(5, 'D')),
        ('m8s', td, '>m8[s]', None, np.timedelta64('NaT'))]:
    z = root.create_dataset(name, shape=arr.shape, chunks=(4,) if arr.ndim == 1 else (2, 3), dtype=dt, compressor=comp, fill_value=fill)
    z[:] = arr
    out[name] = hexof(arr.astype(dt))
out['M8ns_minus_b'] = hexof(t - u)
for name, arr in [('M8ns', t), ('M8ns_clean', tclean), ('m8s', td)]:
    out[name + '_min'] = hexof(arr.min()); out[name + '_max'] = hexof(arr.max())
    out[name + '_argmin'] = int(arr.argmin()); out[name + '_argmax'] = int(arr.argmax())
for ax in (0, 1):
    out[f'M8D_min{ax}'] = hexof(d.min(axis=ax)); out[f'M8D_max{ax}'] = hexof(d.max(axis=ax))
    out[f'M8D_argmin{ax}'] = d.argmin(axis=ax).tolist(); out[f'M8D_argmax{ax}'] = d.argmax(axis=ax).tolist()
out['m8s_max0'] = hexof(td.max(axis=0)); out['m8s_argmin1'] = td.argmin(axis=1).tolist()

# v3 documents as zarr-python 3 writes them; chunks hold raw little-endian bytes (bytes codec only).
def v3(name, shape, chunks, data_type, fill, arr):
    os.makedirs(f'v3.zarr/{name}/c', exist_ok=True)
    doc = {"shape": list(shape), "data_type": data_type,
           "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunks)}},
           "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
           "fill_value": fill, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
           "attributes": {}, "zarr_format": 3, "node_type": "array", "storage_transformers": []}
    json.dump(doc, open(f'v3.zarr/{name}/zarr.json', 'w'), indent=2)
    assert len(shape) == 1 and chunks[0] >= shape[0]
    pad = np.empty(chunks, dtype=arr.dtype); pad[:] = arr[0]; pad[:shape[0]] = arr
    open(f'v3.zarr/{name}/c/0', 'wb').write(pad.astype(arr.dtype.newbyteorder('<')).tobytes())
os.makedirs('v3.zarr', exist_ok=True)
json.dump({"attributes": {}, "zarr_format": 3, "consolidated_metadata": None, "node_type": "group"}, open('v3.zarr/zarr.json', 'w'), indent=2)
v3('dt_ns', [6], [8], {"name": "numpy.datetime64", "configuration": {"unit": "ns", "scale_factor": 1}}, -9223372036854775808, t)
v3('td_s', [3], [3], {"name": "numpy.timedelta64", "configuration": {"unit": "s", "scale_factor": 1}}, -9223372036854775808, td[0])
v3('c128', [5], [5], "complex128", [0.5, "NaN"], a[:, 1].copy())
v3('c64', [5], [5], "complex64", ["Infinity", -1.0], a[:, 1].astype('c8'))
out['v3_dt_ns'] = hexof(t); out['v3_td_s'] = hexof(td[0]); out['v3_c128'] = hexof(a[:, 1]); out['v3_c64'] = hexof(a[:, 1].astype('c8'))
json.dump(out, open('expected.json', 'w'), indent=1, sort_keys=True)
