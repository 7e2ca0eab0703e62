#!/usr/bin/env bash
# Records public API changes in each library's PublicAPI.Unshipped.txt (what the build's RS0016 errors ask for), using
# the PublicApiAnalyzers code fix through `dotnet format`. Review the diff: it is the change to the public surface.
#   tools/public-api.sh            add new public symbols to PublicAPI.Unshipped.txt
#   tools/public-api.sh --ship     also move every Unshipped entry into PublicAPI.Shipped.txt (at a release)
set -euo pipefail
cd "$(dirname "$0")/.."
for p in Storage Graph Ops Scheduler ML; do
  dotnet format analyzers "src/$p/ChunkCompute.$p.csproj" --diagnostics RS0016 RS0017 --severity info -v q || true
  if [[ "${1:-}" == "--ship" ]]; then
    { printf '#nullable enable\n'; grep -hv '^#nullable' "src/$p/PublicAPI.Shipped.txt" "src/$p/PublicAPI.Unshipped.txt" | LC_ALL=C sort -u; } > "src/$p/PublicAPI.Shipped.txt.new"
    mv "src/$p/PublicAPI.Shipped.txt.new" "src/$p/PublicAPI.Shipped.txt"
    printf '#nullable enable\n' > "src/$p/PublicAPI.Unshipped.txt"
  fi
done
git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt'
