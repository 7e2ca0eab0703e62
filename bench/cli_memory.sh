#!/usr/bin/env bash
# Peak RSS of CLI commands under --memory (issue 13: "no input is allowed past --memory").
#
#   bench/cli_memory.sh [MEMORY]        (default 96MiB)
#
# Builds the CLI (Release), writes a 256 MiB float64 Fortran-order .npy with NumPy (Debian's python3-numpy), and runs
# import (chunks 1024x512), export (whole and a strided slice) and verify with --memory MEMORY under /usr/bin/time,
# printing each command's exit code and peak RSS. The .NET runtime alone is ~35 MB of that. Exports are checked
# against NumPy. Nothing here is timed against a peer: it checks a bound, not a speed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MEM="${1:-96MiB}"
PY=/usr/bin/python3
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
dotnet build "$ROOT/src/Cli" -c Release -v quiet -nologo >/dev/null
CLI="$ROOT/src/Cli/bin/Release/net10.0/chunkcompute"
"$PY" -c "import numpy as np; np.save('$WORK/f.npy', np.asfortranarray(np.arange(32 << 20, dtype='<f8').reshape(8192, 4096)))"
run() { local what=$1; shift; /usr/bin/time -f "$what: exit %x, peak RSS %M KB, %e s" "$@" >/dev/null 2>"$WORK/err" || true; grep -v '^Command exited' "$WORK/err" | tail -1; }
run "import F-order 256 MiB --memory $MEM" "$CLI" import "$WORK/f.npy" "$WORK/s.zarr" --array f --chunks 1024,512 --memory "$MEM"
run "export 256 MiB --memory $MEM" "$CLI" export "$WORK/s.zarr" "$WORK/out.npy" --array f --memory "$MEM"
run "export --slice ::3,1::2 --memory $MEM" "$CLI" export "$WORK/s.zarr" "$WORK/out2.npy" --array f --slice "::3,1::2" --memory "$MEM"
run "verify --memory $MEM" "$CLI" verify "$WORK/s.zarr" --memory "$MEM"
"$PY" -c "
import numpy as np
a = np.arange(32 << 20, dtype='<f8').reshape(8192, 4096)
print('exports exact:', bool((np.load('$WORK/out.npy') == a).all() and (np.load('$WORK/out2.npy') == a[::3, 1::2]).all()))"
