#!/usr/bin/env bash
# What our session's memory growth during a restore is made of (issue 16: "flat with 10x objects").
# The growth is bench/run.sh's figure, measured the same way (peak RSS of the pwsh process during
# Start-MinioRestore minus its RSS before, VmHWM reset through /proc/self/clear_refs), restores of
# N and N*SCALE x 4 KiB (obj/NNNNNNN, as run.sh seeds them) into an empty bucket each, in pwsh 7.6.9.
# Cases (CASES="probe levers warm idle" picks them):
#   probe   REPEAT runs at each size with bench/MemoryProbe loaded before the baseline: at the peak,
#           the growth split into anonymous, file-backed and shared RSS (the JIT's double-mapped
#           code), the GC's committed memory against its heap, glibc malloc's arenas (in use, free),
#           the methods JIT-compiled and the JIT's seconds during the restore
#   levers  REPEAT runs at each size under each runtime setting a user can set in pwsh's
#           environment (a binary module cannot: they are read when the runtime starts), medians
#   warm    the same growth, measured in a session that restored the N*SCALE bucket once before
#           (into a bucket of its own): what a session restoring bucket after bucket sees
#   idle    the session's growth with no restore at all, Start-Sleep for 4 and 30 s after
#           Register-RestoreClients (the runtime settling on its own)
#   seq     one session restoring the N*SCALE bucket SEQ times (each into a bucket of its own, emptied
#           after): the peak over the session's first baseline after each, and the probe's figures
# Knobs: N=2000 SCALE=10 REPEAT=3 SEQ=6 BENCH_PORT=19700 CASES="probe levers warm idle seq". Appends to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}; SCALE=${SCALE:-10}; REPEAT=${REPEAT:-3}; SEQ=${SEQ:-6}; BENCH_PORT=${BENCH_PORT:-19700}; CASES=" ${CASES:-probe levers warm idle seq} "
want() { [[ $CASES == *" $1 "* ]]; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet build bench/MemoryProbe -c Release -nologo -v q -clp:NoSummary >/dev/null
PWSH=out/tools/pwsh/pwsh
HARNESS=(dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll)
PROBE=$PWD/bench/MemoryProbe/bin/Release/net10.0/MemoryProbe.dll

source bench/bench-pair.sh
bench_pair_up memory "$BENCH_PORT" $((8<<30))
BIG=$((N * SCALE))
echo "seeding $N and $BIG x 4 KiB" >&2
"${HARNESS[@]}" seed "$SRC" small "$N" 4096 0 obj/ 2>/dev/null
"${HARNESS[@]}" seed "$SRC" many "$BIG" 4096 0 obj/ 2>/dev/null

# run.sh's restore.ps1, plus: -Probe (bench/MemoryProbe, loaded before the baseline), -Warm (a restore before the measured one), -Idle (no restore: Start-Sleep)
cat > "$work/restore.ps1" <<PS
param([string]\$Source, [string]\$Target, [string]\$From, [string]\$Into, [switch]\$Probe, [string]\$Warm = '', [int]\$Idle = 0)
Import-Module ./out/MinioRestore/MinioRestore.psd1
if (\$Probe) { Add-Type -Path '$PROBE' }
\$c = [pscredential]::new(\$env:AWS_ACCESS_KEY_ID, [System.Net.NetworkCredential]::new('', \$env:AWS_SECRET_ACCESS_KEY).SecurePassword)
Register-RestoreClients -S3Endpoint \$Source -MinioEndpoint \$Target -MinioCredential \$c | Out-Null
if (\$Warm) { \$null = Start-MinioRestore -Bucket \$Warm -TargetBucket "\$Into-warm" }
function Kib([string]\$field) { [long]((Get-Content /proc/self/status | Where-Object { \$_ -like "\${field}:*" }) -replace '\D', '') }
if (\$Probe) { \$before = [MemoryProbe.Probe]::Take() }
[IO.File]::WriteAllText('/proc/self/clear_refs', '5')   # VmHWM := VmRSS, so the peak below is the restore's
\$rss = Kib VmRSS
\$jit = [System.Runtime.JitInfo]::GetCompiledMethodCount(\$false)
if (\$Probe) { [MemoryProbe.Probe]::Start(20) }
\$clock = [Diagnostics.Stopwatch]::StartNew()
if (\$Idle -gt 0) { Start-Sleep -Seconds \$Idle; \$r = [pscustomobject]@{ Status = 'Succeeded'; Copied = 0 } }
else { \$r = Start-MinioRestore -Bucket \$From -TargetBucket \$Into }
\$seconds = \$clock.Elapsed.TotalSeconds
\$jit = [System.Runtime.JitInfo]::GetCompiledMethodCount(\$false) - \$jit
if (\$Probe) { \$peak, \$last = [MemoryProbe.Probe]::Stop() }
\$inv = [cultureinfo]::InvariantCulture
"result: status \$(\$r.Status) copied \$(\$r.Copied) seconds \$(\$seconds.ToString('0.000', \$inv)) jit \$jit growth \$((Kib VmHWM) - \$rss)"
if (\$Probe) { "peak: " + [MemoryProbe.Probe]::Describe(\$peak, \$before); "last: " + [MemoryProbe.Probe]::Describe(\$last, \$before) }
PS

purge() { local b; for b in "$@"; do radosgw-admin -c "$work/dst/ceph.conf" bucket rm --bucket="$b" --purge-objects --bypass-gc >/dev/null 2>&1 || true; done
  radosgw-admin -c "$work/dst/ceph.conf" gc process --include-all >/dev/null 2>&1 || true; }
# one BUCKET EXPECTED [ps1 args] [-- env settings]: one measured run; prints its result line (and the probe's), empties the target
one() {
  local from=$1 expected=$2 into="$1-m-$RANDOM" log="$work/run.$RANDOM.log"; shift 2
  local args=() envs=()
  while (( $# )) && [ "$1" != -- ]; do args+=("$1"); shift; done
  (( $# )) && shift && envs=("$@")
  env "${envs[@]}" "$PWSH" -NoProfile -NonInteractive -File "$work/restore.ps1" "$SRC" "$DST" "$from" "$into" "${args[@]}" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  grep -q "^result: status Succeeded copied $expected " "$log" || { echo "FAILED: expected $expected copied" >&2; cat "$log" >&2; exit 1; }
  grep -E '^(result|peak|last):' "$log"
  purge "$into" "$into-warm"
}
field() { sed -nE "s/.* $1 ([0-9.]+).*/\1/p"; }   # a figure from result lines
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

report="
## $(date -u +%Y-%m-%dT%H:%MZ) memory growth taken apart (bench/memory.sh) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load before the run $LOAD_BEFORE

Command: \`N=$N SCALE=$SCALE REPEAT=$REPEAT CASES=\"$(echo $CASES)\" bench/memory.sh\` (pwsh $("$PWSH" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()'), $N and $BIG x 4 KiB, each run into an empty bucket; growth as bench/run.sh measures it, MB)
"
if want probe; then
  report+=$'\n'"Probe at the peak RSS (MemoryProbe, 20 ms samples; RSS deltas against the baseline, GC and malloc as they are):"$'\n\n'
  for b in "small $N" "many $BIG"; do
    set -- $b
    for _ in $(seq "$REPEAT"); do
      lines=$(one "$1" "$2" -Probe)
      report+="- $2 objects: growth $(mb "$(field growth <<<"$lines")") MB, $(field seconds <<<"$lines") s; peak: $(sed -n 's/^peak: //p' <<<"$lines")"$'\n'
    done
  done
fi
if want levers; then
  report+=$'\n'"| runtime setting (pwsh's environment) | growth, $N objects | growth, $BIG objects | ratio | runs ($N; $BIG) |"$'\n'"|---|---|---|---|---|"$'\n'
  for lever in "(none) X=1" "DOTNET_TieredCompilation=0 DOTNET_TieredCompilation=0" "DOTNET_TieredPGO=0 DOTNET_TieredPGO=0" \
      "MALLOC_ARENA_MAX=1 MALLOC_ARENA_MAX=1" "DOTNET_GCgen0size=0x200000 DOTNET_GCgen0size=0x200000" "POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_TELEMETRY_OPTOUT=1"; do
    set -- $lever
    name=$1; shift
    small_runs=() many_runs=()
    for _ in $(seq "$REPEAT"); do
      small_runs+=("$(one small "$N" -- "$@" | field growth)")
      many_runs+=("$(one many "$BIG" -- "$@" | field growth)")
    done
    s=$(printf '%s\n' "${small_runs[@]}" | median) m=$(printf '%s\n' "${many_runs[@]}" | median)
    report+="| $name | $(mb "$s") | $(mb "$m") | $(ratio "$m" "$s") | $(for g in "${small_runs[@]}"; do printf '%s ' "$(mb "$g")"; done); $(for g in "${many_runs[@]}"; do printf '%s ' "$(mb "$g")"; done)|"$'\n'
  done
fi
if want warm; then
  small_runs=() many_runs=()
  for _ in $(seq "$REPEAT"); do
    small_runs+=("$(one small "$N" -Warm many | field growth)")
    many_runs+=("$(one many "$BIG" -Warm many | field growth)")
  done
  s=$(printf '%s\n' "${small_runs[@]}" | median) m=$(printf '%s\n' "${many_runs[@]}" | median)
  report+=$'\n'"Warm session (a restore of the $BIG objects first, in the same session): growth $(mb "$s") MB for $N objects, $(mb "$m") MB for $BIG (ratio $(ratio "$m" "$s")); runs $(for g in "${small_runs[@]}"; do printf '%s ' "$(mb "$g")"; done); $(for g in "${many_runs[@]}"; do printf '%s ' "$(mb "$g")"; done)"$'\n'
fi
if want idle; then
  report+=$'\n'"Idle session (no restore, Start-Sleep after Register-RestoreClients):"
  for secs in 4 30; do
    line=$(one small 0 -Idle "$secs")
    report+=" $secs s: growth $(mb "$(field growth <<<"$line")") MB, $(field jit <<<"$line") methods compiled;"
  done
  report+=$'\n'
fi
if want seq; then
  cat > "$work/seq.ps1" <<PS
param([string]\$Source, [string]\$Target, [string]\$From, [int]\$Times)
Import-Module ./out/MinioRestore/MinioRestore.psd1
Add-Type -Path '$PROBE'
\$c = [pscredential]::new(\$env:AWS_ACCESS_KEY_ID, [System.Net.NetworkCredential]::new('', \$env:AWS_SECRET_ACCESS_KEY).SecurePassword)
Register-RestoreClients -S3Endpoint \$Source -MinioEndpoint \$Target -MinioCredential \$c | Out-Null
function Kib([string]\$field) { [long]((Get-Content /proc/self/status | Where-Object { \$_ -like "\${field}:*" }) -replace '\D', '') }
\$before = [MemoryProbe.Probe]::Take()
\$rss0 = Kib VmRSS
foreach (\$i in 1..\$Times) {
  \$b = "\$From-seq-\$i-\$(Get-Random)"
  [IO.File]::WriteAllText('/proc/self/clear_refs', '5')
  \$r = Start-MinioRestore -Bucket \$From -TargetBucket \$b
  "- restore \$i (\$(\$r.Status), \$(\$r.Copied) copied): peak \$([int](((Kib VmHWM) - \$rss0) / 1024)) MB over the session's first baseline; " + [MemoryProbe.Probe]::Describe([MemoryProbe.Probe]::Take(), \$before)
  & radosgw-admin -c '$work/dst/ceph.conf' bucket rm --bucket=\$b --purge-objects --bypass-gc 2>&1 | Out-Null
}
PS
  report+=$'\n'"One session, $SEQ restores of the $BIG objects one after another (the probe after each, against the session before the first):"$'\n\n'
  report+=$("$PWSH" -NoProfile -NonInteractive -File "$work/seq.ps1" "$SRC" "$DST" many "$SEQ" | grep '^- restore')$'\n'
fi
echo "$report"
echo "$report" >> bench/RESULTS.md
