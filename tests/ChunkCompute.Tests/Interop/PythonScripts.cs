namespace ChunkCompute.Tests.Interop;

/// <summary>The zarr-python scripts the interop tests run.</summary>
internal static class PythonScripts
{
    /// <summary>argv: store root, manifest.json. Checks every array and group the manifest lists; prints "OK path" or "FAIL path: why".</summary>
    public const string VerifyV2 = """
        import sys, json, itertools
        import numpy as np
        import zarr
        root, manifest = sys.argv[1], sys.argv[2]
        with open(manifest, encoding='utf-8') as f:
            m = json.load(f)
        store = zarr.DirectoryStore(root)

        def check_array(c):
            z = zarr.open_array(store=store, path=c['path'], mode='r')
            e = np.load(c['npy'])
            p = []
            if z.dtype != np.dtype(c['dtype']): p.append('dtype %s != %s' % (z.dtype, c['dtype']))
            if list(z.shape) != c['shape']: p.append('shape %s != %s' % (z.shape, c['shape']))
            if list(z.chunks) != c['chunks']: p.append('chunks %s != %s' % (z.chunks, c['chunks']))
            if z.order != c['order']: p.append('order %s != %s' % (z.order, c['order']))
            if z._dimension_separator != c['separator']: p.append('separator %r != %r' % (z._dimension_separator, c['separator']))
            fv = c['fill']
            if fv == 'NaN':
                if z.fill_value is None or not np.isnan(z.fill_value): p.append('fill_value %r is not NaN' % z.fill_value)
            elif z.dtype.kind in 'iu':
                if z.fill_value is None or int(z.fill_value) != fv: p.append('fill_value %r != %r' % (z.fill_value, fv))
            elif z.fill_value != fv: p.append('fill_value %r != %r' % (z.fill_value, fv))
            comp = None if z.compressor is None else z.compressor.codec_id
            if comp == 'blosc':
                comp = 'blosc:%s:%d' % (z.compressor.cname, z.compressor.shuffle)
            if comp != c['compressor']: p.append('compressor %s != %s' % (comp, c['compressor']))
            if dict(z.attrs) != c.get('attrs', {}): p.append('attrs %r != %r' % (dict(z.attrs), c.get('attrs', {})))
            stored = sum(1 for idx in itertools.product(*[range(n) for n in z.cdata_shape]) if z._chunk_key(idx) in z.chunk_store)
            if 'stored_chunks' in c and stored != c['stored_chunks']: p.append('stored chunks %d != %d' % (stored, c['stored_chunks']))
            a = z[...]
            if a.shape != e.shape or a.dtype.newbyteorder('=') != e.dtype.newbyteorder('='):
                p.append('data %s %s != expected %s %s' % (a.dtype, a.shape, e.dtype, e.shape))
            else:
                a = a.astype(e.dtype)
                if e.dtype.kind == 'b':
                    same = np.array_equal(a, e)
                else:
                    u = 'u%d' % e.dtype.itemsize
                    same = np.array_equal(a.view(u), e.view(u))
                if not same:
                    if e.dtype.kind == 'f' and np.array_equal(a, e, equal_nan=True):
                        p.append('values equal but not bitwise')
                    else:
                        bad = np.argwhere(~((a == e) | ((a != a) & (e != e))) if e.dtype.kind == 'f' else (a != e))
                        p.append('%d elements differ, first at %s: %r != %r' % (len(bad), tuple(bad[0]) if len(bad) else '?', a[tuple(bad[0])] if len(bad) else '?', e[tuple(bad[0])] if len(bad) else '?'))
            return p

        for c in m.get('arrays', []):
            try:
                p = check_array(c)
            except Exception as ex:
                p = ['%s: %s' % (type(ex).__name__, ex)]
            print(('OK ' + c['path']) if not p else ('FAIL ' + c['path'] + ': ' + '; '.join(p)))
        for g in m.get('groups', []):
            try:
                grp = zarr.open_group(store=store, path=g['path'], mode='r')
                a = dict(grp.attrs)
                p = [] if a == g['attrs'] else ['attrs %r != %r' % (a, g['attrs'])]
            except Exception as ex:
                p = ['%s: %s' % (type(ex).__name__, ex)]
            print(('OK group ' + g['path']) if not p else ('FAIL group ' + g['path'] + ': ' + '; '.join(p)))
        print('DONE')
        """;

    /// <summary>argv: store root, output dir. Writes v2 arrays of many kinds plus expected .npy files and manifest.json.</summary>
    public const string WriteV2 = """
        import sys, json, os
        import numpy as np
        import zarr
        from numcodecs import Blosc, Zstd, GZip, Zlib, LZ4, BZ2, Delta
        root, out = sys.argv[1], sys.argv[2]
        store = zarr.DirectoryStore(root)
        g = zarr.group(store=store, overwrite=True)
        groups = []
        ra = {'title': 'Prüfung ✓ 日本語', 'nested': {'a': [1, 2.5, None, True], 'b': {'c': 'ñ', 'd': []}}, 'n': -7}
        g.attrs.update(ra)
        groups.append({'path': '', 'attrs': ra})
        g2 = g.create_group('g1').create_group('g2')
        da = {'deep': {'x': ['α', 'β'], 'y': 1e-300, 'z': {}}}
        g2.attrs.update(da)
        groups.append({'path': 'g1/g2', 'attrs': da})
        groups.append({'path': 'g1', 'attrs': {}})
        arrays = []

        def gen(dt, shape, rng):
            d = np.dtype(dt)
            if d.kind == 'b':
                return rng.random(shape) < 0.5
            if d.kind in 'iu':
                ii = np.iinfo(d)
                return rng.integers(ii.min, ii.max, size=shape, endpoint=True, dtype=d.newbyteorder('=')).astype(d)
            a = (rng.random(shape) - 0.5) * 2000
            flat = a.reshape(-1)
            flat[::53] = np.nan
            flat[7::61] = np.inf
            flat[11::67] = -0.0
            return a.astype(d)

        def fillfor(d):
            d = np.dtype(d)
            return {'f': np.nan, 'i': -1, 'u': int(np.iinfo(d).max) if d.kind == 'u' else 0, 'b': True}[d.kind]

        def add(path, dt, shape, chunks, seed, partial=False, **kw):
            rng = np.random.default_rng(seed)
            z = zarr.open_array(store=store, path=path, mode='w', shape=shape, chunks=chunks, dtype=dt, **kw)
            data = gen(dt, shape, rng)
            if partial and len(shape) > 0:
                half = max(1, shape[0] // 2)
                z[:half] = data[:half]
                fv = z.fill_value
                data[half:] = fv
            else:
                z[...] = data
            e = np.array(np.asarray(z[...]).astype(np.dtype(dt).newbyteorder('<')), order='C')
            if not np.array_equal(e, data.astype(e.dtype), equal_nan=e.dtype.kind == 'f'):
                raise Exception('zarr-python did not round-trip ' + path)
            npy = os.path.join(out, path.replace('/', '_') + '.npy')
            np.save(npy, e)
            arrays.append({'path': path, 'npy': npy, 'dtype': np.dtype(dt).name, 'shape': list(shape)})

        dtypes = ['|b1', '<i1', '<i2', '<i4', '<i8', '|u1', '<u2', '<u4', '<u8', '<f2', '<f4', '<f8', '>f8', '>i4', '>u2', '>f4', '>i8', '>f2']
        comps = [None, Blosc('lz4', 5, Blosc.SHUFFLE), Blosc('zstd', 3, Blosc.BITSHUFFLE), Blosc('blosclz', 5, Blosc.NOSHUFFLE),
                 Blosc('lz4hc', 9, Blosc.SHUFFLE), Blosc('zlib', 5, Blosc.SHUFFLE), Zstd(3), GZip(5), Zlib(1), LZ4(), BZ2(5),
                 Blosc('lz4', 5, Blosc.AUTOSHUFFLE)]
        layouts = {
            1: [((500,), (100,)), ((1001,), (64,)), ((777,), (4096,))],
            2: [((30, 20), (10, 5)), ((31, 23), (8, 7)), ((13, 9), (20, 16))],
            3: [((18, 10, 8), (6, 5, 4)), ((20, 13, 11), (7, 6, 5)), ((17, 9, 6), (40, 30, 25))],
        }
        for i in range(36):
            dt = dtypes[i % len(dtypes)]
            rank = 1 + (i // 4) % 3
            shape, chunks = layouts[rank][i % 3]
            kw = {'compressor': comps[i % len(comps)], 'order': 'CF'[(i // 3) % 2], 'dimension_separator': './'[(i // 6) % 2]}
            if i % 2 == 0:
                kw['fill_value'] = fillfor(dt)
            add('py/a%02d' % i, dt, shape, chunks, 1000 + i, partial=(i % 4 == 1), **kw)
        add('py/zero_d', '>f8', (), (), 7, compressor=Zstd(3))
        add('py/zero_d_i2', '<i2', (), (), 8, compressor=None, fill_value=-1)
        add('py/delta_i4', '<i4', (40, 30), (16, 16), 9, filters=[Delta(dtype='<i4')], compressor=Blosc('lz4', 5, Blosc.SHUFFLE))
        add('py/delta_i8_be', '>i8', (100,), (33,), 10, filters=[Delta(dtype='>i8')], compressor=Zlib(5), order='F')
        add('py/fill_none', '<f4', (21, 17), (8, 8), 11, fill_value=None, compressor=GZip(5))
        add('py/big_blosc_lz4', '<f8', (300, 200), (128, 128), 12, compressor=Blosc('lz4', 5, Blosc.SHUFFLE))
        add('py/big_blosc_zstd_bit', '<i4', (300, 200), (128, 128), 13, compressor=Blosc('zstd', 1, Blosc.BITSHUFFLE))
        add('g1/g2/nested', '<u4', (12, 12), (5, 5), 14, compressor=Zstd(1), dimension_separator='/', fill_value=4294967295, partial=True)
        # write_empty_chunks=False: all-fill chunks are never stored.
        z = zarr.open_array(store=store, path='py/sparse', mode='w', shape=(40, 40), chunks=(10, 10), dtype='<i2', fill_value=0, write_empty_chunks=False, compressor=Blosc('zstd', 3, Blosc.SHUFFLE))
        d = np.zeros((40, 40), dtype='<i2')
        d[0:10, 0:10] = np.arange(100, dtype='<i2').reshape(10, 10)
        d[25:35, 12] = -5
        z[...] = d
        np.save(os.path.join(out, 'sparse.npy'), d)
        nchunks = sum(1 for k in store.keys() if k.startswith('py/sparse/') and not k.endswith('.zarray'))
        if nchunks != 3:
            raise Exception('expected 3 stored chunks in py/sparse, got %d' % nchunks)
        arrays.append({'path': 'py/sparse', 'npy': os.path.join(out, 'sparse.npy'), 'dtype': 'int16', 'shape': [40, 40]})
        with open(os.path.join(out, 'manifest.json'), 'w', encoding='utf-8') as f:
            json.dump({'arrays': arrays, 'groups': groups}, f, ensure_ascii=False)
        print('WROTE %d' % len(arrays))
        """;

    /// <summary>argv: store root, path, dtype, order, separator, expected .npy. Writes a 3-D array for region tests.</summary>
    public const string WriteRegionArray = """
        import sys
        import numpy as np
        import zarr
        from numcodecs import Blosc, Zlib
        root, path, dt, order, sep, npy = sys.argv[1:7]
        store = zarr.DirectoryStore(root)
        rng = np.random.default_rng(42)
        shape, chunks = (37, 23, 19), (8, 7, 5)
        d = np.dtype(dt)
        if d.kind == 'f':
            data = ((rng.random(shape) - 0.5) * 1e6).astype(d)
            fill, comp = np.nan, Zlib(3)
        else:
            data = rng.integers(-2**31, 2**31 - 1, size=shape, endpoint=True, dtype='i8').astype(d)
            fill, comp = -1, Blosc('zstd', 3, Blosc.BITSHUFFLE)
        z = zarr.open_array(store=store, path=path, mode='w', shape=shape, chunks=chunks, dtype=d, order=order, dimension_separator=sep, fill_value=fill, compressor=comp)
        z[...] = data
        np.save(npy, np.array(data.astype(d.newbyteorder('<')), order='C'))
        print('WROTE')
        """;
}
