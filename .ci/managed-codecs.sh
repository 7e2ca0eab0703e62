#!/usr/bin/env bash
# CI step: the whole Storage test suite on the managed codecs only (K4os LZ4, ZstdSharp, SharpZipLib bzip2), as on a
# machine without liblz4 / libzstd / libbz2 (Windows, macOS, slim containers). CHUNKCOMPUTE_CODECS=managed keeps every
# native compression library unloaded (tests that compare against the native path report themselves skipped), and
# ManagedCodecsChildProcessTests checks in a child's /proc/self/maps that none was mapped.
# Call after the build: .ci/managed-codecs.sh   (about 1-2 minutes; pass --build to build first)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--build" ]]; then
  dotnet build ChunkCompute.sln -c Release
fi

log=$(mktemp)
set +e
CHUNKCOMPUTE_CODECS=managed timeout 170 dotnet test tests/ChunkCompute.Tests/ChunkCompute.Tests.csproj -c Release --no-build \
  --filter "FullyQualifiedName~ChunkCompute.Tests.Storage" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -eq 124 ]; then
  echo "managed-codecs: the Storage suite took longer than 170 s"
fi

# The managed-only run must have exercised the codecs: the child-process check among the passed tests.
if [ "$status" -eq 0 ] && ! grep -qE "Passed: +[1-9]" "$log" && ! grep -qE "Passed! " "$log"; then
  echo "managed-codecs: no passing tests in the log"
  exit 1
fi
echo "managed-codecs: exit $status"
exit "$status"
