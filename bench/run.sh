#!/usr/bin/env bash
# Side-by-side benchmark: rclone and Start-MinioRestore (default settings, through the PowerShell
# engine, as a user runs it) on the same two local RGW clusters, in one run. Appends the figures
# to bench/RESULTS.md.
#   (a) 5,000 x 4 KiB   (b) 8 x 64 MiB uploaded multipart   (c) no-op rerun of (a)
#   (d) peak RSS at 10x the object count of (a)   + raw GET/PUT limit of the server pair
# SMALL=5000 LARGE=8 SCALE=10 override the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
SMALL=${SMALL:-5000}; LARGE=${LARGE:-8}; SCALE=${SCALE:-10}
WITH_RCLONE=1 tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet build bench/BenchTools -c Release -nologo -v q -clp:NoSummary >/dev/null
HARNESS=(dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll)
harness() { "${HARNESS[@]}" "$@"; }

work=$(mktemp -d /tmp/minio-restore-bench.XXXXXX)
source tests/servers/pair.sh
trap pair_down EXIT
KEY=BENCHACCESSKEY000001 SECRET=bench-secret-key-00000000000000000000001
export STORE_BYTES=$((6<<30))  # room for both data sets and both copies in each cluster's memstore
pair_up "$work" 19700 19800 "$KEY" "$SECRET"
SRC=$PAIR_SOURCE DST=$PAIR_TARGET
export AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET

echo "seeding: $SMALL x 4 KiB, $LARGE x 64 MiB (multipart, 16 MiB parts), $((SMALL * SCALE)) x 4 KiB" >&2
harness seed $SRC small "$SMALL" 4096 0 obj/ 2>/dev/null
harness seed $SRC large "$LARGE" $((64 << 20)) $((16 << 20)) big/ 2>/dev/null
harness seed $SRC many $((SMALL * SCALE)) 4096 0 obj/ 2>/dev/null

# rclone: both ends from the environment. The machine's AWS_CA_BUNDLE breaks rclone (and the
# servers are plain HTTP), so it is unset for every tool alike.
unset AWS_CA_BUNDLE
for side in SRC DST; do
  export RCLONE_CONFIG_${side}_TYPE=s3 RCLONE_CONFIG_${side}_PROVIDER=Ceph RCLONE_CONFIG_${side}_ACCESS_KEY_ID=$KEY \
         RCLONE_CONFIG_${side}_SECRET_ACCESS_KEY=$SECRET RCLONE_CONFIG_${side}_REGION=us-east-1
done
export RCLONE_CONFIG_SRC_ENDPOINT=$SRC RCLONE_CONFIG_DST_ENDPOINT=$DST

cat > "$work/restore.ps1" <<PS
\$c = [pscredential]::new('$KEY', [System.Net.NetworkCredential]::new('', '$SECRET').SecurePassword)
Register-RestoreClients -S3Endpoint $SRC -MinioEndpoint $DST -MinioCredential \$c | Out-Null
\$clock = [Diagnostics.Stopwatch]::StartNew()
Start-MinioRestore -Bucket \$env:BENCH_SOURCE -TargetBucket \$env:BENCH_TARGET
"cmdlet-seconds: \$(\$clock.Elapsed.TotalSeconds.ToString('0.00', [cultureinfo]::InvariantCulture))"
PS

declare -A T M P # wall seconds, peak RSS (KiB) and process wall seconds per run
measure() {      # measure NAME COMMAND...: wall time and peak RSS of the command
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/$name.log" 2>&1 || { echo "FAILED: $name" >&2; cat "$work/$name.log" >&2; exit 1; }
  read -r T[$name] M[$name] <"$work/time"
  # Ours: the time Start-MinioRestore takes in the session (a user's pwsh is already running);
  # the process time, with the PowerShell engine's start-up, is reported beside it.
  P[$name]=${T[$name]}
  local in_session; in_session=$(sed -nE 's/^cmdlet-seconds: ([0-9.]+)/\1/p' "$work/$name.log")
  [ -n "$in_session" ] && T[$name]=$in_session
  echo "$name: ${T[$name]} s (process ${P[$name]} s), $(( ${M[$name]} / 1024 )) MB" >&2
}
ours() { echo env BENCH_SOURCE="$1" BENCH_TARGET="$2" "${HARNESS[@]}" ps -f "$work/restore.ps1"; }

RCLONE_SMALL="--transfers 64 --checkers 64"
RCLONE_LARGE="--transfers 8 --checkers 8 --s3-upload-cutoff 0 --s3-chunk-size 16M --s3-upload-concurrency 4"
measure a_rclone rclone copy src:small dst:small-rclone $RCLONE_SMALL
measure a_ours $(ours small small-ours)
measure c_rclone rclone copy src:small dst:small-rclone $RCLONE_SMALL
measure c_rclone_size rclone copy src:small dst:small-rclone $RCLONE_SMALL --size-only
measure c_ours $(ours small small-ours)
measure b_rclone rclone copy src:large dst:large-rclone $RCLONE_LARGE
measure b_ours $(ours large large-ours)
BENCH_TOOLS=(dotnet bench/BenchTools/bin/Release/net10.0/BenchTools.dll)
measure b_raw_get "${BENCH_TOOLS[@]}" raw-get $SRC large
measure b_raw_put "${BENCH_TOOLS[@]}" raw-put $DST raw-put "$LARGE" $((64 << 20))
measure d_rclone rclone copy src:many dst:many-rclone $RCLONE_SMALL
measure d_ours $(ours many many-ours)
grep -q "Succeeded" "$work/a_ours.log" && grep -q "Succeeded" "$work/b_ours.log" && grep -q "Succeeded" "$work/d_ours.log" \
  || { echo "a restore did not succeed" >&2; cat "$work"/*_ours.log >&2; exit 1; }

mb=$((LARGE * 64 * 1048576))
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
mbs() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t / 1e6 }'; }
raw_get=$(sed -nE 's/.*= ([0-9.]+) MB\/s/\1/p' "$work/b_raw_get.log"); raw_put=$(sed -nE 's/.*= ([0-9.]+) MB\/s/\1/p' "$work/b_raw_put.log")
limit=$(awk -v g="$raw_get" -v p="$raw_put" 'BEGIN { printf "%.0f", (g < p ? g : p) }')
report=$(cat <<MD

## $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); rclone $(command rclone version | head -1 | awk '{print $2}')

Commands: \`bench/run.sh\` (SMALL=$SMALL LARGE=$LARGE SCALE=$SCALE). Ours: \`Register-RestoreClients | Start-MinioRestore\` with default
settings through the PowerShell 7.6 engine (tools/MinioRestore.Harness); "ours" is the time Start-MinioRestore takes in the
session, "process" adds starting the PowerShell engine (about 1 s) and Register-RestoreClients. Ratios use the session time. rclone (a, c, d): \`rclone copy $RCLONE_SMALL\`;
(b): \`rclone copy $RCLONE_LARGE\` (its fastest of the settings tried).

| case | rclone | ours | rclone/ours time | rclone RSS | our RSS | RSS ours/rclone |
|---|---|---|---|---|---|---|
| (a) $SMALL x 4 KiB | ${T[a_rclone]} s ($(rate "$SMALL" "${T[a_rclone]}") obj/s) | ${T[a_ours]} s ($(rate "$SMALL" "${T[a_ours]}") obj/s; process ${P[a_ours]} s) | $(ratio "${T[a_rclone]}" "${T[a_ours]}") | $(( ${M[a_rclone]} / 1024 )) MB | $(( ${M[a_ours]} / 1024 )) MB | $(ratio "${M[a_ours]}" "${M[a_rclone]}") |
| (b) $LARGE x 64 MiB multipart | ${T[b_rclone]} s ($(mbs $mb "${T[b_rclone]}") MB/s) | ${T[b_ours]} s ($(mbs $mb "${T[b_ours]}") MB/s; process ${P[b_ours]} s) | $(ratio "${T[b_rclone]}" "${T[b_ours]}") | $(( ${M[b_rclone]} / 1024 )) MB | $(( ${M[b_ours]} / 1024 )) MB | $(ratio "${M[b_ours]}" "${M[b_rclone]}") |
| (c) no-op rerun of (a), rclone default compare | ${T[c_rclone]} s | ${T[c_ours]} s (process ${P[c_ours]} s) | $(ratio "${T[c_rclone]}" "${T[c_ours]}") | $(( ${M[c_rclone]} / 1024 )) MB | $(( ${M[c_ours]} / 1024 )) MB | $(ratio "${M[c_ours]}" "${M[c_rclone]}") |
| (c) no-op rerun, rclone --size-only | ${T[c_rclone_size]} s | ${T[c_ours]} s | $(ratio "${T[c_rclone_size]}" "${T[c_ours]}") | $(( ${M[c_rclone_size]} / 1024 )) MB | $(( ${M[c_ours]} / 1024 )) MB | $(ratio "${M[c_ours]}" "${M[c_rclone_size]}") |
| (d) $((SMALL * SCALE)) x 4 KiB | ${T[d_rclone]} s | ${T[d_ours]} s (process ${P[d_ours]} s) | $(ratio "${T[d_rclone]}" "${T[d_ours]}") | $(( ${M[d_rclone]} / 1024 )) MB | $(( ${M[d_ours]} / 1024 )) MB | $(ratio "${M[d_ours]}" "${M[d_rclone]}") |

Server pair limit for (b): raw GET to nowhere $raw_get MB/s, raw PUT from memory $raw_put MB/s (16 MiB parts, 16 at once, UNSIGNED-PAYLOAD; bench/BenchTools);
ours reached $(mbs $mb "${T[b_ours]}") MB/s = $(awk -v o="$(mbs $mb "${T[b_ours]}")" -v l="$limit" 'BEGIN { printf "%.0f", 100 * o / l }')% of the lower limit.
Our peak RSS at ${SCALE}x the objects (d) vs (a): $(ratio "${M[d_ours]}" "${M[a_ours]}")x.
MD
)
echo "$report"
echo "$report" >> bench/RESULTS.md
