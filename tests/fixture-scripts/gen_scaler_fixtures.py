#!/usr/bin/env python3
"""Generates scaler fixtures under tests/ChunkCompute.Tests/Fixtures/scalers.

scikit-learn is not required: its scaler semantics are written out below with NumPy (sklearn 1.x
StandardScaler / MinMaxScaler / RobustScaler, NaN-ignoring fit, _is_constant_feature and
_handle_zeros_in_scale). Every array is a little-endian .npy file; names are NAME.npy:
  inputs:   x_f64 (400 x 7, with NaNs, a constant and a tied integer column), x_f32 (300 x 4)
  for each input X in (f64, f32):
    standard_{X}_mean, _var, _scale, _transform          (with_mean, with_std)
    standard_nomean_{X}_transform                        (with_mean=False)
    minmax_{X}_data_min, _data_max, _scale, _min, _transform            feature_range (0, 1)
    minmax_range_{X}_transform                                          feature_range (-1, 2)
    robust_{X}_center, _q25, _q75, _scale, _transform                   quantile_range (25, 75)
    robust_q1090_{X}_q10, _q90                                          quantile_range (10, 90)
Run: /usr/bin/python3 tests/fixture-scripts/gen_scaler_fixtures.py
"""
import os
import warnings

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ChunkCompute.Tests", "Fixtures", "scalers")
EPS = np.finfo(np.float64).eps
warnings.simplefilter("ignore")
rng = np.random.default_rng(20261121)


def inputs():
    n = 400
    x = np.empty((n, 7))
    x[:, 0] = rng.standard_normal(n) * 3 + 10
    x[:, 1] = rng.uniform(-5, 5, n)
    x[:, 2] = rng.exponential(2.0, n)                 # skewed
    x[:, 3] = 4.25                                    # constant: scale 1 everywhere
    x[:, 4] = rng.integers(0, 5, n).astype(float)     # many ties
    x[:, 5] = rng.standard_normal(n) * 1e-3 + 1e6     # large offset, small spread
    x[:, 6] = rng.lognormal(0, 1.5, n)                # heavy tail
    x[rng.choice(n, 25, replace=False), 0] = np.nan   # NaNs are ignored by fit, kept by transform
    x[rng.choice(n, 10, replace=False), 6] = np.nan
    y = (rng.standard_normal((300, 4)) * np.array([1, 10, 0.1, 100]) + np.array([0, -3, 2, 50])).astype("<f4")
    return {"f64": x.astype("<f8"), "f32": y}


def handle_zeros(scale, constant=None):
    scale = scale.copy()
    if constant is None:
        constant = scale < 10 * EPS
    scale[constant] = 1.0
    return scale


def save(name, a):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(a))


def main():
    os.makedirs(OUT, exist_ok=True)
    for key, x in inputs().items():
        save("x_" + key, x)
        xd = x.astype(np.float64)
        # StandardScaler
        n = np.sum(~np.isnan(xd), axis=0).astype(np.float64)
        mean = np.nanmean(xd, axis=0)
        var = np.nanvar(xd, axis=0)
        constant = var <= n * EPS * var + (n * mean * EPS) ** 2
        scale = handle_zeros(np.sqrt(var), constant)
        save(f"standard_{key}_mean", mean)
        save(f"standard_{key}_var", var)
        save(f"standard_{key}_scale", scale)
        save(f"standard_{key}_transform", ((xd - mean) / scale).astype(x.dtype))
        save(f"standard_nomean_{key}_transform", (xd / scale).astype(x.dtype))
        # MinMaxScaler
        dmin, dmax = np.nanmin(xd, axis=0), np.nanmax(xd, axis=0)
        for name, (lo, hi) in (("minmax", (0.0, 1.0)), ("minmax_range", (-1.0, 2.0))):
            s = (hi - lo) / handle_zeros(dmax - dmin)
            m = lo - dmin * s
            if name == "minmax":
                save(f"minmax_{key}_data_min", dmin)
                save(f"minmax_{key}_data_max", dmax)
                save(f"minmax_{key}_scale", s)
                save(f"minmax_{key}_min", m)
            save(f"{name}_{key}_transform", (xd * s + m).astype(x.dtype))
        # RobustScaler
        q25, q75 = np.nanpercentile(xd, [25, 75], axis=0)
        center = np.nanmedian(xd, axis=0)
        rscale = handle_zeros(q75 - q25)
        save(f"robust_{key}_center", center)
        save(f"robust_{key}_q25", q25)
        save(f"robust_{key}_q75", q75)
        save(f"robust_{key}_scale", rscale)
        save(f"robust_{key}_transform", ((xd - center) / rscale).astype(x.dtype))
        q10, q90 = np.nanpercentile(xd, [10, 90], axis=0)
        save(f"robust_q1090_{key}_q10", q10)
        save(f"robust_q1090_{key}_q90", q90)


if __name__ == "__main__":
    main()
