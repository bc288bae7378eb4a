#!/usr/bin/env bash
# Installs what the tests, the demo and the benchmarks need and a fresh machine lacks:
# Ceph's RADOS Gateway (the real S3 servers the tests start), PowerShell 7.6.9 (the .NET tool, in
# out/tools/pwsh: the shell users have, for the demo, the acceptance tests and the benchmark), Pester
# (from NuGet, in out/tools/packages/pester/<version>/tools) and, with WITH_RCLONE=1, rclone.
# Idempotent: installs only what is missing. Prints nothing when nothing is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=$ROOT/out/tools
PWSH_VERSION=7.6.9
if [ "$("$TOOLS/pwsh/pwsh" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null)" != "$PWSH_VERSION" ]; then
  echo "installing: PowerShell $PWSH_VERSION (.NET tool) in $TOOLS/pwsh" >&2
  rm -rf "$TOOLS/pwsh"
  dotnet tool install PowerShell --version "$PWSH_VERSION" --tool-path "$TOOLS/pwsh" >/dev/null
fi
PESTER_VERSION=$(sed -nE 's|.*<PesterVersion>(.*)</PesterVersion>.*|\1|p' "$ROOT/tests/Acceptance/Pester.csproj")
if [ ! -f "$TOOLS/packages/pester/$PESTER_VERSION/tools/Pester.psd1" ]; then
  echo "installing: Pester $PESTER_VERSION (NuGet) in $TOOLS/packages" >&2
  dotnet restore "$ROOT/tests/Acceptance/Pester.csproj" --packages "$TOOLS/packages" -nologo -v q >/dev/null
fi
need=()
for cmd in radosgw ceph-mon ceph-osd ceph; do command -v "$cmd" >/dev/null || { need+=(radosgw ceph-mon ceph-osd ceph-common); break; }; done
command -v uuidgen >/dev/null || need+=(uuid-runtime)
if [ "${WITH_RCLONE:-0}" = 1 ]; then command -v rclone >/dev/null || need+=(rclone); fi
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing: ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
