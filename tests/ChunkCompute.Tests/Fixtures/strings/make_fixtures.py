# Regenerates the string dtype fixtures with zarr-python 2 (Debian python3-zarr 2.13), NumPy and numcodecs:
#   cd tests/ChunkCompute.Tests/Fixtures/strings && /usr/bin/python3 make_fixtures.py
# v2.zarr: |S5, <U7, >U3 and vlen-utf8 object arrays written by zarr-python 2 (some chunks left unwritten, so they
# read as the fill value). v3.zarr: zarr.json documents for the 'string' data type as zarr-python 3 writes them
# (vlen-utf8 codec, then gzip/none), with chunks encoded by numcodecs. expected.json: every array's values (C order),
# decoded by NumPy: |S as Latin-1 text of the bytes, U and object as the strings.
import json, os, shutil
import numpy as np
import numcodecs
import zarr

out = {}
def values(a):
    a = np.asarray(a)
    if a.dtype.kind == 'S':
        return [x.decode('latin-1') for x in a.ravel().tolist()]
    return [str(x) for x in a.ravel().tolist()]

shutil.rmtree('v2.zarr', ignore_errors=True)
shutil.rmtree('v3.zarr', ignore_errors=True)
root = zarr.open_group('v2.zarr', mode='w')

s5 = np.array([[b'abc', b'', b'hello'], [b'x\x00y', b'\xff\xfe', b'12345'], [b'a', b'bb', b'ccc'], [b'', b'', b''], [b'z', b'', b'q']], dtype='|S5')
u7 = np.array([['h\u00e9llo', '', '\u65e5\u672c\u8a9e'], ['\U0001F600x', 'abcdefg', '\U00010348\U0001F4A9'], ['\u0000a', 'b', 'c'], ['', 'fill', '']], dtype='<U7')
u3b = np.array(['ab', '\u00df', '\U0001F600', '', 'xyz'], dtype='>U3')
obj = np.array([['', 'a', 'h\u00e9llo w\u00f6rld', '\U0001F600'], ['long ' * 20, '', '\u65e5\u672c', 'x'], ['', '', '', ''], ['tab\there', 'new\nline', '', 'end']], dtype=object)
for name, arr, dt, chunks, comp, fill, kw in [
        ('s5', s5, '|S5', (2, 2), numcodecs.Zlib(1), b'', {}),
        ('s5fill', s5, '|S5', (2, 2), None, b'zz', {}),
        ('u7', u7, '<U7', (3, 2), numcodecs.Blosc('lz4', 5, 1), '', {}),
        ('u3b', u3b, '>U3', (2,), None, 'f\u00e9', {}),
        ('vlen', obj, object, (3, 3), numcodecs.Blosc('zstd', 3, 0), '', {'object_codec': numcodecs.VLenUTF8()}),
        ('vlen_none', obj, object, (2, 2), None, None, {'object_codec': numcodecs.VLenUTF8()}),
        ('vlen_str', obj, str, (4, 1), numcodecs.Zlib(1), 'pad', {})]:
    z = root.create_dataset(name, shape=arr.shape, chunks=chunks, dtype=dt, compressor=comp, fill_value=fill, **kw)
    z[:] = arr
    out[name] = values(z[:])
# A region write leaves the other chunks unwritten: they read as the fill value.
for name, dt, fill, kw in [('s5_sparse', '|S5', b'zz', {}), ('u7_sparse', '<U7', '\u00e9\U0001F600', {}),
                           ('vlen_sparse', str, 'fill', {})]:
    z = root.create_dataset(name, shape=(5, 4), chunks=(2, 2), dtype=dt, compressor=None, fill_value=fill, **kw)
    z[2:4, 1:3] = np.array([['a', 'b'], ['c', 'd']]).astype(dt if dt != str else object)
    out[name] = values(z[:])

# Zarr v3 'string' arrays with the vlen-utf8 codec, as zarr-python 3 writes them.
def v3(name, arr, chunks, extra, fill):
    os.makedirs(f'v3.zarr/{name}/c', exist_ok=True)
    codecs = [{"name": "vlen-utf8", "configuration": {}}] + extra
    doc = {"shape": list(arr.shape), "data_type": "string",
           "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunks)}},
           "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
           "fill_value": fill, "codecs": codecs,
           "attributes": {}, "zarr_format": 3, "node_type": "array", "storage_transformers": []}
    json.dump(doc, open(f'v3.zarr/{name}/zarr.json', 'w'), indent=2)
    comp = numcodecs.GZip(5) if extra else None
    for i in range(0, arr.shape[0], chunks[0]):
        for j in range(0, arr.shape[1], chunks[1]):
            block = np.full(chunks, fill, dtype=object)
            part = arr[i:i + chunks[0], j:j + chunks[1]]
            block[:part.shape[0], :part.shape[1]] = part
            if (block == fill).all():
                continue
            data = numcodecs.VLenUTF8().encode(block)
            if comp is not None:
                data = comp.encode(data)
            os.makedirs(f'v3.zarr/{name}/c/{i // chunks[0]}', exist_ok=True)
            open(f'v3.zarr/{name}/c/{i // chunks[0]}/{j // chunks[1]}', 'wb').write(bytes(data))
    out['v3_' + name] = values(arr)
os.makedirs('v3.zarr', exist_ok=True)
json.dump({"zarr_format": 3, "node_type": "group", "attributes": {}}, open('v3.zarr/zarr.json', 'w'), indent=2)
v3('str', obj, (3, 3), [{"name": "gzip", "configuration": {"level": 5}}], '')
v3('str_raw', obj, (2, 4), [], '')

json.dump(out, open('expected.json', 'w'), indent=1, ensure_ascii=True)
