#!/usr/bin/env bash
# Native AOT smoke test of the CLI: publish it with PublishAot (clang and zlib1g-dev are the native toolchain; installed
# here when missing), run the native binary and the JIT build side by side on the test fixtures, and require the same
# exit codes, the same output (timings removed) and byte-identical written files.
#   .ci/aot-smoke.sh            build both, compare (about 3-4 minutes on 2 cores, most of it the native compile)
#   KEEP=1 .ci/aot-smoke.sh     keep the work directory (binaries, outputs) and print its path
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q 'install ok installed' || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing the Native AOT toolchain: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then echo "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi

echo "publishing: JIT (framework-dependent) and Native AOT (linux-x64)"
dotnet publish src/Cli -c Release -o "$work/jit" -nologo -v quiet
dotnet publish src/Cli -c Release -r linux-x64 -p:PublishAot=true -o "$work/aot" -nologo -v quiet
jit="$work/jit/chunkcompute"
aot="$work/aot/chunkcompute"
[ -x "$aot" ] || { echo "no native binary at $aot"; exit 1; }
echo "native binary: $(du -h "$aot" | cut -f1)"

fx="$root/tests/ChunkCompute.Tests/Fixtures"
failures=0
cases=0

# Runs one command with both binaries; {OUT} in the arguments is each binary's own output directory. Compares exit
# codes, stdout and stderr (store paths, timings and the version's commit normalised) and the files written.
run() {
  local name=$1
  shift
  cases=$((cases + 1))
  for kind in jit aot; do
    local bin out
    bin=${!kind}
    out="$work/out-$kind/$name"
    mkdir -p "$out"
    local args=()
    for a in "$@"; do args+=("${a//\{OUT\}/$out/files}"); done
    mkdir -p "$out/files"
    set +e
    "$bin" "${args[@]}" >"$out/stdout" 2>"$out/stderr"
    echo $? >"$out/rc"
    set -e
    # Timings differ from run to run; paths differ by binary.
    # Peak memory depends on worker timing (it differs between two runs of one binary too).
    # Float results are compared to 12 decimals: the JIT vectorizes block sums with this machine's widest registers
    # (AVX-512/AVX2), the AOT binary with its baseline ISA, so a float64 sum may differ in its last ulp.
    sed -E -e "s#$out/files#OUT#g" -e 's/(-?[0-9]+\.[0-9]{12})[0-9]+/\1/g' -e 's/"seconds":[-0-9.eE+]+/"seconds":T/g' -e 's/[0-9]+\.[0-9]+ s\b/T s/g' \
      -e 's/"peak_memory_bytes":[0-9]+/"peak_memory_bytes":P/g' -e 's/peak [0-9.]+ [KMG]?i?B/peak P/g' \
      -i "$out/stdout" "$out/stderr"
  done
  local a="$work/out-jit/$name" b="$work/out-aot/$name"
  if ! diff -q "$a/rc" "$b/rc" >/dev/null || ! diff -q "$a/stdout" "$b/stdout" >/dev/null \
    || ! diff -q "$a/stderr" "$b/stderr" >/dev/null || ! diff -rq -x .chunkcompute "$a/files" "$b/files" >/dev/null; then
    failures=$((failures + 1))
    echo "DIFFERENT: $name: chunkcompute $*"
    diff "$a/rc" "$b/rc" || true
    diff "$a/stdout" "$b/stdout" | head -20 || true
    diff "$a/stderr" "$b/stderr" | head -20 || true
    diff -rq -x .chunkcompute "$a/files" "$b/files" || true
  else
    echo "same: $name (exit $(cat "$a/rc"))"
  fi
}

v2="$fx/zarr-v2"
v3="$fx/zarr-v3"
f8="$v2/comp_zstd_f8.zarr"

run version --version
run help --help
run info-v2 info "$f8"
run info-v2-json info "$f8" --json
run info-v3 info "$v3/zarrita.js/data.zarr"
run info-v3-sharded-json info "$v3/zarrs/sharded_array_write_read.zarr" --json
run info-svg info "$v3/zarrs/sharded_array_write_read.zarr" --array group/array --svg "{OUT}/grid.svg"

run stats-mean stats "$f8" --array / --op mean
run stats-mean-json stats "$f8" --array / --op mean --axis 0 --json -q
for op in sum std var min max count count-nonzero argmin argmax nansum nanmean nanstd nanvar nanmin nanmax; do
  run "stats-$op" stats "$f8" --array / --op "$op" --axis 1
done
for dt in b1 i1 i2 i4 i8 u1 u2 u4 u8 f2 f4 f8; do
  run "stats-sum-$dt" stats "$v2/dtype_$dt.zarr" --array / --op sum --json -q
  run "stats-mean-$dt" stats "$v2/dtype_$dt.zarr" --array / --op mean --axis 0
done
run stats-specials stats "$v2/float_specials_f8.zarr" --array / --op max --json -q
run stats-specials-nan stats "$v2/float_specials_f8.zarr" --array / --op nanstd
run stats-blosc stats "$v2/comp_blosc_lz4_shuffle_f8.zarr" --array / --op std --ddof 1
run stats-lz4 stats "$v2/comp_lz4_f8.zarr" --array / --op sum
run stats-bz2 stats "$v2/comp_bz2_f8.zarr" --array / --op sum
run stats-gzip stats "$v2/comp_gzip_f8.zarr" --array / --op sum
run stats-sharded stats "$v3/zarrs/sharded_array_write_read.zarr" --array group/array --op sum --axis 0
run stats-bad-op stats "$f8" --array / --op median
run stats-bad-axis stats "$f8" --array / --op argmin --axis 0,1

run export-npy export "$f8" "{OUT}/a.npy" --array /
run export-slice export "$v2/order_F_3d_i4.zarr" "{OUT}/s.npy" --array / --slice "1:5,::2,-3:" --json -q
run export-sharded export "$v3/zarrs/sharded_array_write_read.zarr" "{OUT}/g.npy" --array group/array
run convert-v3 convert "$f8" "{OUT}/c.zarr" --array / --to-array x --format v3 --chunks 8,30 --codec zstd:3 -q
run convert-v2-rechunk convert "$v2/comp_blosc_zstd_shuffle_u2.zarr" "{OUT}/d.zarr" --array / --to-array y --chunks 50,4 --codec blosc-lz4 --json -q
printf 'a,b,c\n1,2.5,-3\n4,5,6e2\n7,NaN,9\n' >"$work/t.csv"
run import-npy import "$v2/comp_none_f8.npy" "{OUT}/i.zarr" --array m --chunks 16,16 --codec zstd --json -q
run import-csv import "$work/t.csv" "{OUT}/t.zarr" --array t --dtype float32 --json -q
run import-csv-int import "$work/t.csv" "{OUT}/u.zarr" --array u --dtype int16
# A converted store read back by the binary that wrote it, exported to .npy: the same bytes from both.
for kind in jit aot; do
  bin=${!kind}
  "$bin" export "$work/out-$kind/convert-v3/files/c.zarr" "$work/out-$kind/convert-v3/files/c.npy" --array x -q
done
if cmp -s "$work/out-jit/convert-v3/files/c.npy" "$work/out-aot/convert-v3/files/c.npy" \
  && cmp -s "$work/out-jit/convert-v3/files/c.npy" "$work/out-jit/export-npy/files/a.npy"; then
  echo "same: convert-v3 read back (equal to the source's export)"
else
  failures=$((failures + 1))
  echo "DIFFERENT: convert-v3 read back"
fi

echo "aot smoke: $cases cases, $failures different"
[ "$failures" -eq 0 ]
