#!/usr/bin/env bash
# How long closing a freshly written 512 MiB file takes after FileMode.Create (ftruncate(0) first) vs FileMode.CreateNew.
#   bench/analysis/create-close/run.sh [DIR=/tmp]   (DIR on the file system to measure; strace from Debian's strace)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dotnet build "$here/CreateClose.csproj" -c Release -v q -nologo > /dev/null
dll="$here/bin/Release/net10.0/CreateClose.dll"
dotnet "$dll" "${1:-/tmp}"
log="$(mktemp)"
strace -f -T -e trace=openat,ftruncate,pwrite64,close -o "$log" dotnet "$dll" "${1:-/tmp}" > /dev/null
echo "close() after O_CREAT without O_EXCL (Create):"; grep -A4 'create-close.bin", O_WRONLY|O_CREAT|O_CLOEXEC' "$log" | grep -oE 'close\([0-9]+\).*<[0-9.]+>' | sed 's/.*</  </' | tr '\n' ' '; echo
echo "close() after O_CREAT|O_EXCL (CreateNew):";     grep -A4 'create-close.bin", O_WRONLY|O_CREAT|O_EXCL' "$log" | grep -oE 'close\([0-9]+\).*<[0-9.]+>' | sed 's/.*</  </' | tr '\n' ' '; echo
rm -f "$log"
