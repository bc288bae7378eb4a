#!/usr/bin/env bash
# Packs the built module (out/MinioRestore) into DIR/MinioRestore.<version>.nupkg (default
# out/packages): the package Install-PSResource and Install-Module take from a local (file) or
# private NuGet repository. No pwsh needed; the packing itself is `harness package`
# (tools/MinioRestore.Harness/Packager.cs), which build.ps1's Package task runs too.
# Run it after a build (dotnet build MinioRestore.sln -c Release, tools/test.sh or ./build.ps1).
set -euo pipefail
cd "$(dirname "$0")/.."
harness=tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll
if [ ! -f "$harness" ] || [ ! -f out/MinioRestore/MinioRestore.psd1 ]; then
  echo "package.sh: nothing built yet; run: dotnet build MinioRestore.sln -c Release" >&2
  exit 2
fi
exec dotnet "$harness" package "${1:-out/packages}"
