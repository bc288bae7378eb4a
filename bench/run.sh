#!/usr/bin/env bash
# Side-by-side benchmark: rclone and Start-MinioRestore (default settings, in pwsh 7.6.9 as a user
# runs it: the .NET tool tests/servers/install-packages.sh puts in out/tools) on the same two local
# RGW clusters, in one run. Appends the figures to bench/RESULTS.md.
#   (a) 5,000 x 4 KiB   (b) 8 x 64 MiB uploaded multipart   (c) no-op rerun of (a)
#   (d) peak RSS at 10x the object count of (a)   + the server pair's limits: a bare GET+PUT loop
#   for (a), raw GET to nowhere and PUT from memory for (b)
# SMALL=5000 LARGE=8 SCALE=10 REPEAT=3 override the sizes and the runs per case (a quick check:
# SMALL=200 LARGE=1 SCALE=2 REPEAT=1); BENCH_PORT=19700 moves the servers (two blocks of 100 ports).
set -euo pipefail
cd "$(dirname "$0")/.."
SMALL=${SMALL:-5000}; LARGE=${LARGE:-8}; SCALE=${SCALE:-10}
WITH_RCLONE=1 tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet build bench/BenchTools -c Release -nologo -v q -clp:NoSummary >/dev/null
# Ours runs in pwsh (its assemblies are ReadyToRun, as in any pwsh install); the module is imported
# from out/MinioRestore as built, like any module a user installs. The harness only seeds.
PWSH=out/tools/pwsh/pwsh
HARNESS=(dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll)
harness() { "${HARNESS[@]}" "$@"; }

work=$(mktemp -d /tmp/minio-restore-bench.XXXXXX)
source tests/servers/pair.sh
trap pair_down EXIT
KEY=BENCHACCESSKEY000001 SECRET=bench-secret-key-00000000000000000000001
export STORE_BYTES=$((8<<30))  # room for both data sets and both copies in each cluster's memstore
BENCH_PORT=${BENCH_PORT:-19700}
pair_up "$work" "$BENCH_PORT" "$((BENCH_PORT + 100))" "$KEY" "$SECRET"
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
Import-Module $PWD/out/MinioRestore/MinioRestore.psd1
\$c = [pscredential]::new('$KEY', [System.Net.NetworkCredential]::new('', '$SECRET').SecurePassword)
Register-RestoreClients -S3Endpoint $SRC -MinioEndpoint $DST -MinioCredential \$c | Out-Null
\$clock = [Diagnostics.Stopwatch]::StartNew()
Start-MinioRestore -Bucket \$env:BENCH_SOURCE -TargetBucket \$env:BENCH_TARGET
"cmdlet-seconds: \$(\$clock.Elapsed.TotalSeconds.ToString('0.00', [cultureinfo]::InvariantCulture))"
PS

# Run to run, the same command varies by +-20% on this 2-core machine, so (a), (b) and (c) run
# REPEAT times, tools taking turns (the order reversed every other round, each run into a bucket
# of its own); the tables show the median time and the highest peak RSS.
REPEAT=${REPEAT:-3}
declare -A T M P RUNS # per case: wall seconds, peak RSS (KiB) and process wall seconds of every run
measure() {      # measure NAME COMMAND...: wall time and peak RSS of one run of the command
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >>"$work/$name.log" 2>&1 || { echo "FAILED: $name" >&2; cat "$work/$name.log" >&2; exit 1; }
  local t m p in_session
  read -r t m <"$work/time"
  # Ours: the time Start-MinioRestore takes in the session (a user's pwsh is already running);
  # the process time, with the PowerShell engine's start-up, is reported beside it.
  p=$t
  in_session=$(sed -nE 's/^cmdlet-seconds: ([0-9.]+)/\1/p' "$work/$name.log" | tail -1)
  [ -n "$in_session" ] && t=$in_session
  T[$name]+="$t "; M[$name]+="$m "; P[$name]+="$p "
  echo "$name: $t s (process $p s), $(( m / 1024 )) MB" >&2
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
highest() { tr ' ' '\n' <<<"$1" | grep . | sort -g | tail -1; }
in_turns() {     # in_turns ROUND STEP...: the steps in order, or reversed in even rounds
  local round=$1; shift
  local steps=("$@") i
  if (( round % 2 )); then for i in "${steps[@]}"; do $i "$round"; done
  else for (( i = ${#steps[@]} - 1; i >= 0; i-- )); do ${steps[i]} "$round"; done; fi
}
ours() { echo env BENCH_SOURCE="$1" BENCH_TARGET="$2" "$PWSH" -NoProfile -NonInteractive -File "$work/restore.ps1"; }

# --s3-no-head: rclone's fastest for small objects (no HEAD after each upload; it still checks the
# MD5 in the PUT answer), about 25% faster here than without it. Without it is reported beside.
RCLONE_SMALL="--transfers 64 --checkers 64 --s3-no-head"
RCLONE_LARGE="--transfers 8 --checkers 8 --s3-upload-cutoff 0 --s3-chunk-size 16M --s3-upload-concurrency 4 --s3-no-head"
BENCH_TOOLS=(dotnet bench/BenchTools/bin/Release/net10.0/BenchTools.dll)
a_rclone_head() { measure a_rclone_head rclone copy src:small dst:small-rclone-head-$1 --transfers 64 --checkers 64; }
a_ours() { measure a_ours $(ours small small-ours-$1); }
a_rclone() { measure a_rclone rclone copy src:small dst:small-rclone-$1 $RCLONE_SMALL; }
a_raw() { measure a_raw "${BENCH_TOOLS[@]}" raw-copy $SRC $DST small "$SMALL" 64; }
c_rclone() { measure c_rclone rclone copy src:small dst:small-rclone-1 $RCLONE_SMALL; }
c_rclone_size() { measure c_rclone_size rclone copy src:small dst:small-rclone-1 $RCLONE_SMALL --size-only; }
c_ours() { measure c_ours $(ours small small-ours-1); }
b_rclone() { measure b_rclone rclone copy src:large dst:large-rclone-$1 $RCLONE_LARGE; }
b_ours() { measure b_ours $(ours large large-ours-$1); }
b_raw_get() { measure b_raw_get "${BENCH_TOOLS[@]}" raw-get $SRC large; }
b_raw_put() { measure b_raw_put "${BENCH_TOOLS[@]}" raw-put $DST raw-put-$1 "$LARGE" $((64 << 20)); }
for round in $(seq "$REPEAT"); do in_turns "$round" a_rclone_head a_ours a_rclone a_raw; done
for round in $(seq "$REPEAT"); do in_turns "$round" c_rclone c_rclone_size c_ours; done
for round in $(seq "$REPEAT"); do in_turns "$round" b_rclone b_ours b_raw_get b_raw_put; done
# The upload route: Minio 7.0.0's PutObject (parts one after another, each buffered) against ours
# (parts in parallel), one 512 MiB object from memory each.
measure minio_put "${BENCH_TOOLS[@]}" minio-put $DST minio-put 1 $((512 << 20))
measure parallel_put "${BENCH_TOOLS[@]}" raw-put $DST parallel-put 1 $((512 << 20))
measure d_rclone rclone copy src:many dst:many-rclone $RCLONE_SMALL
measure d_ours $(ours many many-ours)
for ours_case in a_ours b_ours d_ours; do
  [ "$(grep -c "Succeeded" "$work/$ours_case.log")" -eq "$(wc -w <<<"${T[$ours_case]}")" ] \
    || { echo "a restore did not succeed" >&2; cat "$work/$ours_case.log" >&2; exit 1; }
done
# The server pair's limits: the best of the runs. Every other figure: median time, highest RSS.
best_rate() { sed -nE "s/$2/\\1/p" "$work/$1.log" | sort -g | tail -1; }
raw_copy=$(best_rate a_raw '.* = ([0-9.]+) objects\/s.*')
raw_get=$(best_rate b_raw_get '.*= ([0-9.]+) MB\/s'); raw_put=$(best_rate b_raw_put '.*= ([0-9.]+) MB\/s')
runs() { tr -s ' ' <<<"${T[$1]}" | sed 's/ $//; s/ /, /g'; }
for name in "${!T[@]}"; do
  RUNS[$name]=$(runs "$name"); T[$name]=$(median "${T[$name]}"); P[$name]=$(median "${P[$name]}"); M[$name]=$(highest "${M[$name]}")
done

mb=$((LARGE * 64 * 1048576))
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
mbs() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t / 1e6 }'; }
limit=$(awk -v g="$raw_get" -v p="$raw_put" 'BEGIN { printf "%.0f", (g < p ? g : p) }')
report=$(cat <<MD

## $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); rclone $(command rclone version | head -1 | awk '{print $2}')

Commands: \`bench/run.sh\` (SMALL=$SMALL LARGE=$LARGE SCALE=$SCALE REPEAT=$REPEAT: (a), (b), (c) median time and highest RSS of $REPEAT runs each, tools taking turns). Ours: \`Register-RestoreClients | Start-MinioRestore\` with default
settings in pwsh $("$PWSH" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()') (the .NET tool, \`pwsh -NoProfile -File\`); "ours" is the time Start-MinioRestore takes in the
session, "process" adds starting pwsh, Import-Module and Register-RestoreClients. Ratios use the session time. rclone (a, c, d): \`rclone copy $RCLONE_SMALL\`;
(b): \`rclone copy $RCLONE_LARGE\` (its fastest of the settings tried).

| case | rclone | ours | rclone/ours time | rclone RSS | our RSS | RSS ours/rclone |
|---|---|---|---|---|---|---|
| (a) rclone without --s3-no-head | ${T[a_rclone_head]} s | ${T[a_ours]} s | $(ratio "${T[a_rclone_head]}" "${T[a_ours]}") | $(( ${M[a_rclone_head]} / 1024 )) MB | $(( ${M[a_ours]} / 1024 )) MB | $(ratio "${M[a_ours]}" "${M[a_rclone_head]}") |
| (a) $SMALL x 4 KiB | ${T[a_rclone]} s ($(rate "$SMALL" "${T[a_rclone]}") obj/s) | ${T[a_ours]} s ($(rate "$SMALL" "${T[a_ours]}") obj/s; process ${P[a_ours]} s) | $(ratio "${T[a_rclone]}" "${T[a_ours]}") | $(( ${M[a_rclone]} / 1024 )) MB | $(( ${M[a_ours]} / 1024 )) MB | $(ratio "${M[a_ours]}" "${M[a_rclone]}") |
| (b) $LARGE x 64 MiB multipart | ${T[b_rclone]} s ($(mbs $mb "${T[b_rclone]}") MB/s) | ${T[b_ours]} s ($(mbs $mb "${T[b_ours]}") MB/s; process ${P[b_ours]} s) | $(ratio "${T[b_rclone]}" "${T[b_ours]}") | $(( ${M[b_rclone]} / 1024 )) MB | $(( ${M[b_ours]} / 1024 )) MB | $(ratio "${M[b_ours]}" "${M[b_rclone]}") |
| (c) no-op rerun of (a), rclone default compare | ${T[c_rclone]} s | ${T[c_ours]} s (process ${P[c_ours]} s) | $(ratio "${T[c_rclone]}" "${T[c_ours]}") | $(( ${M[c_rclone]} / 1024 )) MB | $(( ${M[c_ours]} / 1024 )) MB | $(ratio "${M[c_ours]}" "${M[c_rclone]}") |
| (c) no-op rerun, rclone --size-only | ${T[c_rclone_size]} s | ${T[c_ours]} s | $(ratio "${T[c_rclone_size]}" "${T[c_ours]}") | $(( ${M[c_rclone_size]} / 1024 )) MB | $(( ${M[c_ours]} / 1024 )) MB | $(ratio "${M[c_ours]}" "${M[c_rclone_size]}") |
| (d) $((SMALL * SCALE)) x 4 KiB | ${T[d_rclone]} s | ${T[d_ours]} s (process ${P[d_ours]} s) | $(ratio "${T[d_rclone]}" "${T[d_ours]}") | $(( ${M[d_rclone]} / 1024 )) MB | $(( ${M[d_ours]} / 1024 )) MB | $(ratio "${M[d_ours]}" "${M[d_rclone]}") |

Server pair limit for (a): a bare signed GET+PUT loop over the known keys (no listing, no checks; bench/BenchTools raw-copy, 64 at once)
copies $raw_copy objects/s; ours reached $(rate "$SMALL" "${T[a_ours]}") objects/s = $(awk -v o="$SMALL" -v t="${T[a_ours]}" -v l="$raw_copy" 'BEGIN { printf "%.0f", 100 * o / t / l }')% of it, rclone $(awk -v o="$SMALL" -v t="${T[a_rclone]}" -v l="$raw_copy" 'BEGIN { printf "%.0f", 100 * o / t / l }')%.
Server pair limit for (b): raw GET to nowhere $raw_get MB/s, raw PUT from memory $raw_put MB/s (16 MiB parts, 16 at once, UNSIGNED-PAYLOAD; bench/BenchTools);
ours reached $(mbs $mb "${T[b_ours]}") MB/s = $(awk -v o="$(mbs $mb "${T[b_ours]}")" -v l="$limit" 'BEGIN { printf "%.0f", 100 * o / l }')% of the lower limit.
Upload route, one 512 MiB object from memory: Minio 7.0.0 PutObject $(best_rate minio_put '.*= ([0-9.]+) MB\/s') MB/s, peak RSS $(( ${M[minio_put]} / 1024 )) MB, $(sed -nE 's/.*allocated ([0-9]+) MiB.*/\1/p' "$work/minio_put.log") MiB allocated;
parts in parallel as ours go (16 MiB, 16 at once) $(best_rate parallel_put '.*= ([0-9.]+) MB\/s') MB/s, peak RSS $(( ${M[parallel_put]} / 1024 )) MB, $(sed -nE 's/.*allocated ([0-9]+) MiB.*/\1/p' "$work/parallel_put.log") MiB allocated.
Our peak RSS at ${SCALE}x the objects (d) vs (a): $(ratio "${M[d_ours]}" "${M[a_ours]}")x.
Every run (s): (a) ours ${RUNS[a_ours]}; rclone ${RUNS[a_rclone]}; rclone without --s3-no-head ${RUNS[a_rclone_head]}; raw copy ${RUNS[a_raw]}.
(b) ours ${RUNS[b_ours]}; rclone ${RUNS[b_rclone]}. (c) ours ${RUNS[c_ours]}; rclone --size-only ${RUNS[c_rclone_size]}.
MD
)
echo "$report"
echo "$report" >> bench/RESULTS.md
