#!/usr/bin/env python3
"""Generates NumPy linear-algebra fixtures under tests/ChunkCompute.Tests/Fixtures/linalg (small: well under 1 MB).

Every file is NAME.npy, C order, little-endian. Inputs and NumPy's answers:
  matmul:  a_{f64,f32} (37, 23), b_{f64,f32} (23, 19), v_{f64,f32} (23,), u_{f64,f32} (37,)
           ab_* = a @ b, av_* = a @ v, ua_* = u @ a, vv_* = [v @ v]  (float32 inputs: NumPy's float32 matmul)
  moments: x_{f64,f32} (203, 9) with correlated columns and non-zero means
           gram_* = x.T @ x (in float64), cov1_* = np.cov(x, rowvar=False) (ddof 1), cov0_* = ddof 0,
           corr_* = np.corrcoef(x, rowvar=False)   (all computed from the float64 values of x)
  tsqr:    t_{f64,f32} (301, 6): r_* = R of np.linalg.qr(t) with rows signed so that diag(R) >= 0,
           s_* = singular values, vt_* = right singular vectors (rows; signs arbitrary)
  lstsq:   lx_f64 (257, 5), ly_f64 (257,) noisy linear model: coef_f64, rss_f64 (shape (1,)) from np.linalg.lstsq
  pca:     px_f64 (311, 6): pmean_f64, pcomp_f64 (3, 6; largest-|.| entry of each row positive),
           pvar_f64 (3,) explained variance (ddof 1), pratio_f64 (3,)
Run: /usr/bin/python3 tests/fixture-scripts/gen_linalg_fixtures.py
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "linalg")
rng = np.random.default_rng(20261107)


def save(name, a):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(a))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy"):
            os.remove(os.path.join(OUT, f))

    # matmul / dot
    a = rng.standard_normal((37, 23))
    b = rng.standard_normal((23, 19))
    v = rng.standard_normal(23)
    u = rng.standard_normal(37)
    for suffix, dt in (("f64", "<f8"), ("f32", "<f4")):
        aa, bb, vv, uu = a.astype(dt), b.astype(dt), v.astype(dt), u.astype(dt)
        save("a_" + suffix, aa)
        save("b_" + suffix, bb)
        save("v_" + suffix, vv)
        save("u_" + suffix, uu)
        save("ab_" + suffix, aa @ bb)
        save("av_" + suffix, aa @ vv)
        save("ua_" + suffix, uu @ aa)
        save("vv_" + suffix, np.array([vv @ vv], dtype=dt))

    # Gram / covariance / correlation: correlated columns, means far from zero (tests the centring)
    mix = rng.standard_normal((9, 9))
    x = rng.standard_normal((203, 9)) @ mix + np.linspace(-50, 100, 9)
    for suffix, dt in (("f64", "<f8"), ("f32", "<f4")):
        xx = x.astype(dt)
        save("x_" + suffix, xx)
        x64 = xx.astype(np.float64)
        save("gram_" + suffix, x64.T @ x64)
        save("cov1_" + suffix, np.cov(x64, rowvar=False))
        save("cov0_" + suffix, np.cov(x64, rowvar=False, ddof=0))
        save("corr_" + suffix, np.corrcoef(x64, rowvar=False))

    # TSQR / SVD
    t = rng.standard_normal((301, 6)) * np.array([1, 2, 3, 0.5, 10, 4]) + 1.0
    for suffix, dt in (("f64", "<f8"), ("f32", "<f4")):
        tt = t.astype(dt)
        save("t_" + suffix, tt)
        t64 = tt.astype(np.float64)
        r = np.linalg.qr(t64, mode="r")
        r = r * np.sign(np.diag(r))[:, None]
        save("r_" + suffix, r)
        _, s, vt = np.linalg.svd(t64, full_matrices=False)
        save("s_" + suffix, s)
        save("vt_" + suffix, vt)

    # least squares: y = X b + noise
    lx = rng.standard_normal((257, 5))
    ly = lx @ np.array([1.5, -2.0, 0.25, 3.0, -0.75]) + 0.1 * rng.standard_normal(257)
    coef, rss, _, _ = np.linalg.lstsq(lx, ly, rcond=None)
    save("lx_f64", lx)
    save("ly_f64", ly)
    save("coef_f64", coef)
    save("rss_f64", np.array(rss, dtype=np.float64).reshape(1))

    # PCA (scikit-learn's definitions, from NumPy): eigendecomposition of the ddof-1 covariance
    px = rng.standard_normal((311, 6)) @ rng.standard_normal((6, 6)) + np.arange(6) * 3.0
    c = np.cov(px, rowvar=False)
    w, vecs = np.linalg.eigh(c)
    order = np.argsort(w)[::-1][:3]
    comps = vecs[:, order].T
    for i in range(comps.shape[0]):
        if comps[i, np.argmax(np.abs(comps[i]))] < 0:
            comps[i] = -comps[i]
    save("px_f64", px)
    save("pmean_f64", px.mean(axis=0))
    save("pcomp_f64", comps)
    save("pvar_f64", w[order])
    save("pratio_f64", w[order] / np.trace(c))

    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
