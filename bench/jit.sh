#!/usr/bin/env bash
# What a fresh pwsh session JIT-compiles and spends in CPU for one Start-MinioRestore, for the
# modules given (default: this tree's out/MinioRestore), taking turns: a no-op rerun of 2,000 x 4 KiB
# and 4 x 64 MiB written by awscli (8 MiB parts). Counts come from System.Runtime.JitInfo around the
# restore. Issue 16: the .NET 10 ReadyToRun copies in dependencies/net10.0-linux-x64.
#   bench/jit.sh [MODULE.psd1 ...]   REPEAT=3 BENCH_PORT=19700
# Without the compiled-ahead copies, for comparison: cp -r out/MinioRestore /tmp/il &&
#   rm -r /tmp/il/dependencies/net10.0-linux-x64 && bench/jit.sh "$PWD/out/MinioRestore/MinioRestore.psd1" /tmp/il/MinioRestore.psd1
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${REPEAT:-3}; BENCH_PORT=${BENCH_PORT:-19700}
modules=("$@"); [ ${#modules[@]} -gt 0 ] || modules=("$PWD/out/MinioRestore/MinioRestore.psd1")
WITH_RCLONE=1 tests/servers/install-packages.sh
tests/zoo/install-clients.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
source bench/bench-pair.sh
bench_pair_up jit "$BENCH_PORT" $((4 << 30))
printf '[default]\nregion = us-east-1\n' >"$work/aws-config"
awscli() { AWS_CONFIG_FILE=$work/aws-config AWS_SHARED_CREDENTIALS_FILE=/dev/null aws --endpoint-url "$SRC" "$@"; }
mkdir -p "$work/few"; for i in 1 2 3 4; do head -c $((64 << 20)) /dev/urandom >"$work/few/f$i"; done
awscli s3 mb s3://few8 >/dev/null && awscli s3 cp --only-show-errors --recursive "$work/few" s3://few8/big/ && rm -rf "$work/few"
dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll seed "$SRC" small 2000 4096 0 obj/ 2>/dev/null
cat >"$work/jit.ps1" <<'PS'
param([string]$Module, [string]$Source, [string]$Target, [string]$From, [string]$Into)
Import-Module $Module
$c = [pscredential]::new($env:AWS_ACCESS_KEY_ID, [System.Net.NetworkCredential]::new('', $env:AWS_SECRET_ACCESS_KEY).SecurePassword)
Register-RestoreClients -S3Endpoint $Source -MinioEndpoint $Target -MinioCredential $c | Out-Null
$me = [Diagnostics.Process]::GetCurrentProcess(); $cpu = $me.TotalProcessorTime
$n = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
$r = Start-MinioRestore -Bucket $From -TargetBucket $Into
$me.Refresh()
if ($r.Status -ne 'Succeeded' -or $r.Failed) { throw "restore of $From did not succeed: $($r.Status)" }
"{0} copied {1}: {2} methods JIT-compiled, {3:0.000} s CPU" -f $From, $r.Copied, ([System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $n), ($me.TotalProcessorTime - $cpu).TotalSeconds
PS
run() { out/tools/pwsh/pwsh -NoProfile -NonInteractive -File "$work/jit.ps1" "$1" "$SRC" "$DST" "$2" "$3"; }
run "${modules[0]}" small small-noop >/dev/null   # the no-op target
for round in $(seq "$REPEAT"); do
  for m in "${modules[@]}"; do
    echo "$m: $(run "$m" small small-noop) | $(run "$m" few8 "few8-$round-$RANDOM")"
  done
done
