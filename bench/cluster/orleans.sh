#!/usr/bin/env bash
# The Orleans transport's figures: per-task dispatch overhead (many tiny tasks) and mean/rechunk of a bench array, on two
# local worker processes (127.0.0.1) against the in-process executor. Usage:
#   bench/cluster/orleans.sh [TINY_CHUNKS=2000] [ROWS=2048] [CHUNK=256]
# Prints a markdown table (paste it into bench/cluster/RESULTS-orleans.md with the machine and the command).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tiny="${1:-2000}"; rows="${2:-2048}"; chunk="${3:-256}"
dotnet build "$here/OrleansBench/OrleansBench.csproj" -c Release -v q -nologo >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet "$here/OrleansBench/bin/Release/net10.0/OrleansBench.dll" run "$work" "$tiny" "$rows" "$chunk"
