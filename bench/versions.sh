#!/usr/bin/env bash
# Point-in-time restores (issue 12): one versioned bucket of KEYS (5,000) x 4 KiB keys with
# VERSIONS (3) versions each, restored through the PowerShell engine as a user runs it:
#   plain    Start-MinioRestore (the latest versions, ListObjectsV2)
#   as-of    Start-MinioRestore -AsOf <between the last two versions> (ListObjectVersions, every GET names its version)
#   all      Start-MinioRestore -AllVersions (every version of every key, oldest first, into a versioned bucket)
# each into a bucket of its own, REPEAT (3) times, taking turns; median time, highest peak RSS.
# Appends the figures to bench/RESULTS.md. BENCH_PORT moves the servers (default 26500: S3 on 26580
# and 26680). The machine may be shared: the note says whether other work ran beside it (LOAD).
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${KEYS:-5000}; VERSIONS=${VERSIONS:-3}; REPEAT=${REPEAT:-3}
tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet build bench/BenchTools -c Release -nologo -v q -clp:NoSummary >/dev/null
HARNESS=(dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll)
BENCH_TOOLS=(dotnet bench/BenchTools/bin/Release/net10.0/BenchTools.dll)

BENCH_PORT=${BENCH_PORT:-26500}
source bench/bench-pair.sh
bench_pair_up versions "$BENCH_PORT" $((4<<30))

"${BENCH_TOOLS[@]}" versioning "$SRC" hist
for v in $(seq "$VERSIONS"); do
  if [ "$v" -eq "$VERSIONS" ]; then
    sleep 1.5                      # listings show seconds: the instant is strictly between the last two versions
    AS_OF=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    sleep 1.5
  fi
  "${HARNESS[@]}" seed "$SRC" hist "$KEYS" 4096 0 obj/ 2>/dev/null
done
echo "seeded $KEYS keys x $VERSIONS versions; -AsOf $AS_OF" >&2

cat > "$work/restore.ps1" <<PS
\$c = [pscredential]::new('$KEY', [System.Net.NetworkCredential]::new('', '$SECRET').SecurePassword)
Register-RestoreClients -S3Endpoint $SRC -MinioEndpoint $DST -MinioCredential \$c | Out-Null
\$asOf = @{}
if (\$env:BENCH_AS_OF) { \$asOf.AsOf = [datetime]::Parse(\$env:BENCH_AS_OF, [cultureinfo]::InvariantCulture, 'AdjustToUniversal') }
if (\$env:BENCH_ALL_VERSIONS) { \$asOf.AllVersions = \$true }
\$clock = [Diagnostics.Stopwatch]::StartNew()
\$r = Start-MinioRestore -Bucket hist -TargetBucket \$env:BENCH_TARGET @asOf
"cmdlet-seconds: \$(\$clock.Elapsed.TotalSeconds.ToString('0.00', [cultureinfo]::InvariantCulture))"
"status: \$(\$r.Status) copied: \$(\$r.Copied) versions: \$(\$r.Versions) asof: \$(\$r.AsOf)"
PS

declare -A T M RUNS
measure() {      # measure NAME ENV...: one restore; its in-session time and the process's peak RSS
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" env "$@" "${HARNESS[@]}" ps -f "$work/restore.ps1" >>"$work/$name.log" 2>&1 \
    || { echo "FAILED: $name" >&2; cat "$work/$name.log" >&2; exit 1; }
  local t m
  read -r t m <"$work/time"
  t=$(sed -nE 's/^cmdlet-seconds: ([0-9.]+)/\1/p' "$work/$name.log" | tail -1)
  T[$name]+="$t "; M[$name]+="$m "
  echo "$name: $t s, $(( m / 1024 )) MB" >&2
}
plain() { measure plain BENCH_TARGET="plain-$1"; }
as_of() { measure as_of BENCH_TARGET="asof-$1" BENCH_AS_OF="$AS_OF"; }
all() { measure all BENCH_TARGET="all-$1" BENCH_ALL_VERSIONS=1; }
load_before=$(cut -d' ' -f1 /proc/loadavg)
for round in $(seq "$REPEAT"); do
  case $(( round % 3 )) in
    1) plain "$round"; as_of "$round"; all "$round" ;;
    2) as_of "$round"; all "$round"; plain "$round" ;;
    0) all "$round"; plain "$round"; as_of "$round" ;;
  esac
done
load_after=$(cut -d' ' -f1 /proc/loadavg)
[ "$(grep -cE "^status: Succeeded copied: $KEYS versions: $((KEYS * VERSIONS)) " "$work/all.log")" -eq "$REPEAT" ] \
  || { echo "an -AllVersions restore did not write every version" >&2; cat "$work/all.log" >&2; exit 1; }
for name in plain as_of; do
  [ "$(grep -cE "^status: Succeeded copied: $KEYS " "$work/$name.log")" -eq "$REPEAT" ] \
    || { echo "a restore did not copy every key" >&2; cat "$work/$name.log" >&2; exit 1; }
done
# (Which version each restore chose is what the RGW tests check; the seeder's bodies differ by key, not by version.)
grep -qE "asof: .+" "$work/as_of.log" || { echo "no AsOf in the -AsOf results" >&2; exit 1; }

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
highest() { tr ' ' '\n' <<<"$1" | grep . | sort -g | tail -1; }
for name in plain as_of all; do
  RUNS[$name]=$(tr -s ' ' <<<"${T[$name]}" | sed 's/ $//; s/ /, /g'); T[$name]=$(median "${T[$name]}"); M[$name]=$(highest "${M[$name]}")
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
report=$(cat <<MD

## $(date -u +%Y-%m-%dT%H:%MZ) versions: on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r)

Command: \`bench/versions.sh\` (KEYS=$KEYS VERSIONS=$VERSIONS REPEAT=$REPEAT; median time in the session, highest peak RSS of the process).
One versioned bucket, $KEYS keys x 4 KiB with $VERSIONS versions each ($((KEYS * VERSIONS)) versions); each restore into a new bucket.

| restore | time | objects/s | peak RSS | vs plain: time, RSS |
|---|---|---|---|---|
| plain (latest, ListObjectsV2) | ${T[plain]} s | $(awk -v n="$KEYS" -v t="${T[plain]}" 'BEGIN { printf "%.0f", n / t }') | $(( ${M[plain]} / 1024 )) MB | 1.00, 1.00 |
| -AsOf (ListObjectVersions, versioned GETs) | ${T[as_of]} s | $(awk -v n="$KEYS" -v t="${T[as_of]}" 'BEGIN { printf "%.0f", n / t }') | $(( ${M[as_of]} / 1024 )) MB | $(ratio "${T[as_of]}" "${T[plain]}"), $(ratio "${M[as_of]}" "${M[plain]}") |
| -AllVersions ($((KEYS * VERSIONS)) versions written, each key's in order) | ${T[all]} s | $(awk -v n="$((KEYS * VERSIONS))" -v t="${T[all]}" 'BEGIN { printf "%.0f", n / t }') versions/s | $(( ${M[all]} / 1024 )) MB | $(ratio "${T[all]}" "${T[plain]}"), $(ratio "${M[all]}" "${M[plain]}") |

Every run (s): plain ${RUNS[plain]}; -AsOf ${RUNS[as_of]}; -AllVersions ${RUNS[all]}. Load average (1 min) ${load_before} before, ${load_after} after, on $(nproc) cores${LOAD:+: $LOAD}.
MD
)
echo "$report"
echo "$report" >> bench/RESULTS.md
