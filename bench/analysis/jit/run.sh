#!/usr/bin/env bash
# Where a chunkcompute process's JIT time goes (bench/analysis/stats_process.md, session 14).
#   bench/analysis/jit/run.sh CLI_DIR [ARGS...]    e.g. bench/analysis/jit/run.sh bench/out/cli stats bench/data/full --array read_f64_blosc_lz4 --op mean --quiet
# 1. the process as it is, with a startup hook printing JitInfo at exit (methods, JIT ms on all threads);
# 2. once more with an EventPipe trace of the JIT events, summed per method, tier and type.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cli="$1"; shift
dotnet build "$here/hook/JitHook.csproj" -c Release -v q -nologo > /dev/null
dotnet build "$here/trace/JitTrace.csproj" -c Release -v q -nologo > /dev/null
DOTNET_STARTUP_HOOKS="$here/hook/bin/Release/net10.0/JitHook.dll" "$cli/chunkcompute" "$@" > /dev/null
trace="$(mktemp --suffix .nettrace)"
DOTNET_EnableEventPipe=1 DOTNET_EventPipeOutputPath="$trace" DOTNET_EventPipeConfig='Microsoft-Windows-DotNETRuntime:0x10:5' \
    "$cli/chunkcompute" "$@" > /dev/null
dotnet "$here/trace/bin/Release/net10.0/JitTrace.dll" "$trace" 25
rm -f "$trace"
