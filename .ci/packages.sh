#!/usr/bin/env bash
# CI step: build the NuGet packages exactly as a release would (`dotnet pack -c Release`, ContinuousIntegrationBuild),
# check their contents, then use them as a user would, from that folder only:
#   1. a fresh console project references ChunkCompute (+ ChunkCompute.ML, ChunkCompute.Onnx) from the packed folder (every ChunkCompute.*
#      package comes from there, enforced by packageSourceMapping; dependencies from the normal registry), writes an
#      array and prints store.Open<double>("x").Rechunk(...).Mean().Compute() = a closed-form mean, and the mean of an
#      array zarr-python wrote (a fixture copied from tests/), compared with their known values;
#   2. `dotnet tool install --tool-path ... --add-source ... ChunkCompute.Cli`, then `chunkcompute --version` (must be
#      VersionPrefix from Directory.Build.props), `chunkcompute info` and `chunkcompute stats` on zarr-python fixtures.
#      The tool is RID-specific (issue 21): ChunkCompute.Cli is a pointer package naming ChunkCompute.Cli.<rid> packages
#      (framework-dependent ReadyToRun) and ChunkCompute.Cli.any (framework-dependent JIT, for other RIDs); the install
#      must pick this machine's ReadyToRun package, checked in the installed chunkcompute.dll's CLI header.
# Everything happens in one temporary folder (build outputs, NuGet package cache, tool path), removed on exit; the
# repository's own bin/obj are not touched. Any failure prints what went wrong and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/chunkcompute-packages.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "packages.sh: FAILED: $*" >&2; exit 1; }
step() { echo "packages.sh: [$((SECONDS - started))s] $*"; }
# Runs a command with its output in a log; on failure shows the end of the log and fails naming the step.
run() {
  local name=$1; shift
  if ! "$@" > "$work/$name.log" 2>&1; then
    tail -60 "$work/$name.log" >&2
    fail "$name: $*"
  fi
}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# A private package cache: a package extracted by an earlier run (same version, older code) can never be used.
# Downloads of the registry's packages still come from NuGet's HTTP cache when present.
export NUGET_PACKAGES=$work/nuget-packages

command -v git >/dev/null && git rev-parse --absolute-git-dir >/dev/null 2>&1 \
  || fail "needs git and a git checkout (the files to pack, the source root and the commit come from git)"
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "no VersionPrefix x.y.z in Directory.Build.props (found '$version')"
step "version $version"

# --- 1. pack a clean copy of the working tree (tracked + untracked, not ignored: no bin/obj), so this never mixes with
# the repository's own builds; ContinuousIntegrationBuild maps the copy's root to /_/, so the output is path-independent.
artifacts=$work/artifacts
source=$work/source
mkdir -p "$source"
git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$source"
[ -f "$source/ChunkCompute.sln" ] || fail "could not copy the working tree to $source"
# The SDK finds the source root (mapped to /_/) and the commit (in the version and the nuspec) from git: the copy points
# at the repository's git directory, which the build only reads.
echo "gitdir: $(git rev-parse --absolute-git-dir)" > "$source/.git"
step "dotnet pack -c Release -o <tmp>/artifacts (in a clean copy)"
(cd "$source" && run pack dotnet pack -c Release -o "$artifacts" -p:ContinuousIntegrationBuild=true)

libraries=(ChunkCompute.Storage ChunkCompute.Graph ChunkCompute.Ops ChunkCompute.Scheduler ChunkCompute.ML ChunkCompute.MLNet ChunkCompute.Onnx)
# The tool: the pointer package ChunkCompute.Cli (no symbols) and its RID-specific packages, as listed in
# ToolPackageRuntimeIdentifiers in src/Cli/ChunkCompute.Cli.csproj (`any` is the framework-dependent JIT fallback).
tool_rids=(linux-x64 linux-arm64 osx-arm64 win-x64 any)
tool_packages=("${tool_rids[@]/#/ChunkCompute.Cli.}")
expected=(ChunkCompute "${libraries[@]}" ChunkCompute.Storage.S3 ChunkCompute.Storage.Azure ChunkCompute.Dashboard ChunkCompute.Cluster.Slurm ChunkCompute.Cluster.Orleans ChunkCompute.Cli "${tool_packages[@]}")
for id in "${expected[@]}"; do
  [ -s "$artifacts/$id.$version.nupkg" ] || fail "missing package $id.$version.nupkg in $(ls "$artifacts")"
done
with_symbols=("${libraries[@]}" ChunkCompute.Storage.S3 ChunkCompute.Storage.Azure ChunkCompute.Dashboard ChunkCompute.Cluster.Slurm ChunkCompute.Cluster.Orleans "${tool_packages[@]}")
for id in "${with_symbols[@]}"; do
  [ -s "$artifacts/$id.$version.snupkg" ] || fail "missing symbol package $id.$version.snupkg"
done
found=$(cd "$artifacts" && ls -- *.nupkg | wc -l)
[ "$found" -eq "${#expected[@]}" ] || fail "expected exactly ${#expected[@]} packages, found: $(ls "$artifacts")"
found=$(cd "$artifacts" && ls -- *.snupkg | wc -l)
[ "$found" -eq "${#with_symbols[@]}" ] || fail "expected exactly ${#with_symbols[@]} symbol packages, found: $(ls "$artifacts")"
step "packed: $(cd "$artifacts" && ls | tr '\n' ' ')"

# --- 2. a fresh console project using the packages from $artifacts only ------------------------------------------
consumer=$work/consumer
mkdir -p "$consumer"
cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local-artifacts" value="$artifacts" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local-artifacts"><package pattern="ChunkCompute" /><package pattern="ChunkCompute.*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
EOF
cp "$work/nuget.config" "$consumer/nuget.config"
cat > "$consumer/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="ChunkCompute" Version="[$version]" />
    <PackageReference Include="ChunkCompute.ML" Version="[$version]" />
    <PackageReference Include="ChunkCompute.Onnx" Version="[$version]" />
    <PackageReference Include="ChunkCompute.MLNet" Version="[$version]" />
  </ItemGroup>
</Project>
EOF
cat > "$consumer/Program.cs" <<'EOF'
using System.Globalization;
using ChunkCompute.Graph;
using ChunkCompute.ML;
using ChunkCompute.MLNet;
using ChunkCompute.Onnx;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

// x[i, j] = 0.5 * (8 i + j), 1000 x 8: the mean is 0.5 * 7999 / 2 = 1999.75 (every partial sum is exact in float64).
using (var store = ZarrStore.Open(args[0]))
{
    var x = store.CreateArray<double>("x", shape: [1000, 8], chunks: [100, 8]);
    var values = new double[8000];
    for (int k = 0; k < values.Length; k++)
    {
        values[k] = 0.5 * k;
    }

    x.Write(values);
    double mean = store.Open<double>("x").Rechunk([250, 4]).Mean().Compute().Value;
    Console.WriteLine("mean x " + mean.ToString("R", CultureInfo.InvariantCulture));

    // ChunkCompute.ML on the packed engine packages: column means 4 * 499.5 + 0.5 j.
    var scaler = new StandardScaler().Fit(store.Open<double>("x"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scaler mean {scaler.Mean[0]:F6} {scaler.Mean[7]:F6}"));
}

// ChunkCompute.Onnx (ONNX Runtime's native library from its package): the fixture model Relu(X W + b) on 3 rows of
// zeros gives Relu(b) per row; 3 * sum(Relu(b)) = 4.1407 for the generator's b.
using (var model = new OnnxModel(args[2]))
{
    var y = ChunkedArray.FromArray(new float[3 * 16], [3, 16], [2, 16]).Infer(model, "X", "Y", batchRows: 2);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"onnx {y.Shape[0]}x{y.Shape[1]} sum {y.Compute().ToArray().Sum():F4}"));
}

// ChunkCompute.MLNet (Microsoft.ML.DataView from nuget.org): 3 rows of 2 features, 1…6, through a cursor: 3 rows, sum 21.
{
    var view = ChunkedArray.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, [3, 2], [2, 2]).AsDataView();
    var features = view.Schema["Features"];
    double total = 0;
    long rows = 0;
    using (var cursor = view.GetRowCursor([features]))
    {
        var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(features);
        var buffer = default(Microsoft.ML.Data.VBuffer<float>);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            foreach (float v in buffer.DenseValues())
            {
                total += v;
            }

            rows++;
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mlnet rows {rows} sum {total}"));
}

// An array zarr-python 3 wrote (Blosc-zstd): [1.5, 2.5, 3.5, 4.5], mean 3.
using (var fixture = ZarrStore.Open(args[1]))
{
    double mean = fixture.Open<double>("1d.contiguous.f8").Rechunk([2]).Mean().Compute().Value;
    Console.WriteLine("mean fixture " + mean.ToString("R", CultureInfo.InvariantCulture));
}
EOF
fixtures=$repo/tests/ChunkCompute.Tests/Fixtures
cp -r "$fixtures/zarr-v3/zarrita.js/data.zarr" "$work/v3.zarr"
cp -r "$fixtures/zarr-v2/dtype_f8.zarr" "$work/v2_f8.zarr"
cp "$repo/tests/ChunkCompute.Onnx.Tests/Fixtures/linear_relu.onnx" "$work/linear_relu.onnx"

step "consumer: restore from <tmp>/artifacts + nuget.org, build, run"
run consumer-restore dotnet restore "$consumer/Consumer.csproj" --configfile "$work/nuget.config"
run consumer-build dotnet build "$consumer/Consumer.csproj" -c Release --no-restore
run consumer-run dotnet "$consumer/bin/Release/net10.0/Consumer.dll" "$work/x.zarr" "$work/v3.zarr" "$work/linear_relu.onnx"
output=$(cat "$work/consumer-run.log")
grep -qx "mean x 1999.75" <<< "$output" || fail "consumer: expected 'mean x 1999.75', got: $output"
grep -qx "mean fixture 3" <<< "$output" || fail "consumer: expected 'mean fixture 3', got: $output"
grep -qx "scaler mean 1998.000000 2001.500000" <<< "$output" || fail "consumer: expected 'scaler mean 1998.000000 2001.500000', got: $output"
grep -qx "onnx 3x4 sum 4.1407" <<< "$output" || fail "consumer: expected 'onnx 3x4 sum 4.1407', got: $output"
grep -qx "mlnet rows 3 sum 21" <<< "$output" || fail "consumer: expected 'mlnet rows 3 sum 21', got: $output"
echo "$output" | sed 's/^/  /'

# The restored packages are the packed ones, with what a package must carry (extracted into the private cache).
for id in ChunkCompute "${libraries[@]}"; do
  dir=$NUGET_PACKAGES/${id,,}/$version
  [ -d "$dir" ] || fail "$id $version was not restored into $NUGET_PACKAGES"
  for f in README.md LICENSE "${id,,}.nuspec"; do
    [ -s "$dir/$f" ] || fail "$id: no $f in the package"
  done
  grep -q '<license type="expression">MIT</license>' "$dir/${id,,}.nuspec" || fail "$id: license expression is not MIT"
  grep -q '<description>.\+</description>' "$dir/${id,,}.nuspec" || fail "$id: no description"
  cmp -s "$dir/${id,,}.$version.nupkg" "$artifacts/$id.$version.nupkg" || fail "$id: the restored package is not the one just packed"
done
for id in "${libraries[@]}"; do
  dir=$NUGET_PACKAGES/${id,,}/$version/lib/net10.0
  [ -s "$dir/$id.dll" ] && [ -s "$dir/$id.xml" ] || fail "$id: lib/net10.0 lacks $id.dll or its XML docs $id.xml"
  # A ContinuousIntegrationBuild records /_/... paths (here the PDB path), never the folder it was built in.
  ! grep -q "$source" "$dir/$id.dll" || fail "$id: the assembly embeds the build folder $source (not a ContinuousIntegrationBuild)"
  grep -q "/_/src/" "$dir/$id.dll" || fail "$id: the assembly has no /_/ mapped path (not a ContinuousIntegrationBuild)"
done
step "consumer ok; packages carry README.md, LICENSE, MIT, description, XML docs"

# --- 3. the tool ---------------------------------------------------------------------------------------------------
tools=$work/tools
step "dotnet tool install --tool-path <tmp>/tools --add-source <tmp>/artifacts ChunkCompute.Cli"
# A config with no sources: --add-source (as a user installing from a local folder types it) is then the only one,
# so the registry can never answer for ChunkCompute.Cli (the tool package has no dependencies to fetch).
cat > "$work/tool-nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear /></packageSources></configuration>
EOF
run tool-install dotnet tool install --tool-path "$tools" --configfile "$work/tool-nuget.config" --add-source "$artifacts" --version "$version" ChunkCompute.Cli
[ -x "$tools/chunkcompute" ] || fail "the tool install did not create the 'chunkcompute' command in $tools"
# The pointer package names every RID package; the install takes this machine's (the RID the SDK runs on).
pointer=$(find "$tools/.store" -name "chunkcompute.cli.$version.nupkg" | head -1)
[ -n "$pointer" ] && cmp -s "$pointer" "$artifacts/ChunkCompute.Cli.$version.nupkg" || fail "the installed tool's pointer package is not the one just packed"
settings=$(dirname "$pointer")/tools/any/any/DotnetToolSettings.xml
for rid in "${tool_rids[@]}"; do
  grep -q "<RuntimeIdentifierPackage RuntimeIdentifier=\"$rid\" Id=\"ChunkCompute.Cli.$rid\"" "$settings" || fail "ChunkCompute.Cli: $settings does not name ChunkCompute.Cli.$rid"
done
rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)
store=$(find "$tools/.store" -type d -path "*/chunkcompute.cli.$rid/$version" | head -1)
[ -n "$store" ] || fail "the install did not take ChunkCompute.Cli.$rid (this machine's RID): $(find "$tools/.store" -maxdepth 3)"
cmp -s "$store/chunkcompute.cli.$rid.$version.nupkg" "$artifacts/ChunkCompute.Cli.$rid.$version.nupkg" || fail "the installed ChunkCompute.Cli.$rid is not the package just packed"
for f in README.md LICENSE "tools/net10.0/$rid/DotnetToolSettings.xml" "tools/net10.0/$rid/chunkcompute.dll"; do
  [ -s "$store/$f" ] || fail "ChunkCompute.Cli.$rid: no $f in the tool package"
done
grep -q '<Command Name="chunkcompute"' "$store/tools/net10.0/$rid/DotnetToolSettings.xml" || fail "ChunkCompute.Cli.$rid: the tool command is not 'chunkcompute'"
# ReadyToRun: an R2R image's CLI header has a ManagedNativeHeader directory (the READYTORUN_HEADER, signature 'RTR');
# a JIT-only assembly's is empty. The JIT fallback package's chunkcompute.dll must read as not precompiled.
r2r_header() {
  python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
pe = struct.unpack_from('<I', d, 0x3C)[0]
sections, opt_size = struct.unpack_from('<H', d, pe + 6)[0], struct.unpack_from('<H', d, pe + 20)[0]
opt = pe + 24
dirs = opt + (96 if struct.unpack_from('<H', d, opt)[0] == 0x10B else 112)
def at(rva):
    for i in range(sections):
        s = opt + opt_size + 40 * i
        size, va, raw_size, raw = struct.unpack_from('<IIII', d, s + 8)
        if va <= rva < va + max(size, raw_size):
            return rva - va + raw
    raise SystemExit('rva %x not in a section' % rva)
cli = at(struct.unpack_from('<I', d, dirs + 14 * 8)[0])
rva, size = struct.unpack_from('<II', d, cli + 0x40)
print('RTR' if size and d[at(rva):at(rva) + 4] == b'RTR\0' else 'IL')
PY
}
unzip -q -o "$artifacts/ChunkCompute.Cli.any.$version.nupkg" tools/net10.0/any/chunkcompute.dll -d "$work/any-tool"
[ "$(r2r_header "$work/any-tool/tools/net10.0/any/chunkcompute.dll")" = IL ] || fail "ChunkCompute.Cli.any: chunkcompute.dll should be IL only (the JIT fallback)"
[ "$(r2r_header "$store/tools/net10.0/$rid/chunkcompute.dll")" = RTR ] || fail "ChunkCompute.Cli.$rid: the installed chunkcompute.dll has no ReadyToRun header"

printed=$("$tools/chunkcompute" --version) || fail "chunkcompute --version exited non-zero"
# The version, optionally followed by +<commit> (the informational version the SDK stamps from git).
[[ "$printed" =~ ^${version//./\\.}(\+[0-9a-f]+)?$ ]] || fail "chunkcompute --version printed '$printed', expected $version"

info=$("$tools/chunkcompute" info "$work/v2_f8.zarr") || fail "chunkcompute info exited non-zero: $info"
grep -q "array float64 shape \[13, 7\] chunks \[5, 3\] (zarr v2)" <<< "$info" || fail "chunkcompute info on the zarr v2 fixture printed: $info"
stats=$("$tools/chunkcompute" stats "$work/v3.zarr" --array 1d.contiguous.f8 --op mean -q) || fail "chunkcompute stats exited non-zero: $stats"
[ "$stats" = "3" ] || fail "chunkcompute stats mean of [1.5, 2.5, 3.5, 4.5] printed '$stats', expected 3"
echo "  chunkcompute --version: $printed (installed ChunkCompute.Cli.$rid, ReadyToRun)"
echo "$info" | sed 's/^/  /'
step "tool ok"

echo "packages.sh: OK: ${#expected[@]} packages at version $version, consumer and tool checked in $((SECONDS - started)) s"
