#!/usr/bin/env bash
# Issue 14, "listing fast": flat keys cut by probes and the version listing in key ranges, on two local RGW clusters.
#   (a) the listing alone (BenchTools list: this build's lister, one chain of pages against key ranges), REPEAT runs
#       each, taking turns, straight and with the source behind BenchTools delay-proxy (+WAN_MS per round trip), of
#         flat      N keys obj/NNNNNNN (one folder of loose keys: no folder to cut at, only probes find cuts)
#         versions  the version listing (ListObjectVersions, as -AsOf and -AllVersions list) of VKEYS keys x VERSIONS
#                   versions, every third key then deleted
#         big       BIG flat keys
#       with each run's source requests, from the gateway's log: pages (ListObjectsV2 or ListObjectVersions), probes
#       (ListObjectsV2 of one key) and survey pages (delimiter).
#   (b) the no-op rerun of BIG flat objects (both ends seeded alike): Start-MinioRestore (this build) against rclone
#       --size-only and rclone --size-only --fast-list, straight and with the source behind the delay proxy.
# N=20000 VKEYS=7000 VERSIONS=3 BIG=100000 WAN_MS=30 REPEAT=3 BENCH_PORT=22000. Appends its table to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}; VKEYS=${VKEYS:-7000}; VERSIONS=${VERSIONS:-3}; BIG=${BIG:-100000}; WAN_MS=${WAN_MS:-30}; REPEAT=${REPEAT:-3}
BENCH_PORT=${BENCH_PORT:-22000}
WITH_RCLONE=1 tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet build bench/BenchTools -c Release -nologo -v q -clp:NoSummary >/dev/null
PWSH=out/tools/pwsh/pwsh
BENCH_TOOLS=(dotnet bench/BenchTools/bin/Release/net10.0/BenchTools.dll)
HARNESS=(dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll)

source bench/bench-pair.sh
bench_pair_up listing "$BENCH_PORT" $((8<<30))
since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

t0=$(date +%s.%N)
"${HARNESS[@]}" seed "$SRC" flat "$N" 1024 0 obj/ >/dev/null 2>&1
seed_flat=$(since "$t0"); t0=$(date +%s.%N)
"${HARNESS[@]}" seed-versions "$SRC" versions "$VKEYS" "$VERSIONS" 1024 obj/ >/dev/null 2>&1
seed_versions=$(since "$t0"); t0=$(date +%s.%N)
# Both ends alike (the seed is deterministic), so the rerun is a no-op without a first pass.
"${HARNESS[@]}" seed "$SRC" big "$BIG" 1024 0 obj/ >/dev/null 2>&1 &
"${HARNESS[@]}" seed "$DST" big "$BIG" 1024 0 obj/ >/dev/null 2>&1
wait
seed_big=$(since "$t0")
echo "seeded: flat $N in $seed_flat s, versions $VKEYS x $VERSIONS in $seed_versions s, big $BIG (both ends) in $seed_big s" >&2

WSRC=http://127.0.0.1:$((BENCH_PORT + 95))
"${BENCH_TOOLS[@]}" delay-proxy "$((BENCH_PORT + 95))" "$SRC" "$WAN_MS" >"$work/proxy.log" 2>&1 &
bench_pids+=($!)
sleep 1

log_lines() { wc -l <"$SRC_LOG"; }
# The source's listing requests of BUCKET since line START: pages, probes (one key), surveys (delimiter).
requests() {
  local lines; lines=$(tail -n +"$2" "$SRC_LOG" | grep -E "\"GET /$1/?\?" || true)
  local pages probes surveys
  pages=$(grep -E 'list-type=2|versions' <<<"$lines" | grep -vE 'max-keys=1( |&|")' | grep -vc 'delimiter=' || true)
  probes=$(grep -F 'list-type=2' <<<"$lines" | grep -cE 'max-keys=1( |&|")' || true)
  surveys=$(grep -c 'delimiter=' <<<"$lines" || true)
  echo "$pages pages, $probes probes, $surveys surveys"
}

declare -A LIST
for bucket in flat versions big; do
  extra=(); [ "$bucket" = versions ] && extra=(versions)
  for ms in 0 "$WAN_MS"; do
    endpoint=$SRC; [ "$ms" = 0 ] || endpoint=$WSRC
    for (( run = 1; run <= REPEAT; run++ )); do
      for mode in serial ranges; do
        start=$(log_lines)
        line=$("${BENCH_TOOLS[@]}" list "$endpoint" "$bucket" "$mode" 1 "${extra[@]}")
        sleep 0.3 # the gateway's log is written behind the answers
        LIST[$bucket-$ms-$mode]+="$(awk '{ print $1 }' <<<"$line") s ($(awk '{ print $3 }' <<<"$line") entries; $(requests "$bucket" "$start")); "
      done
    done
    echo "(a) $bucket +$ms ms: serial ${LIST[$bucket-$ms-serial]} ranges ${LIST[$bucket-$ms-ranges]}" >&2
  done
done

cat > "$work/restore.ps1" <<PS
param([string] \$S3Endpoint)
Import-Module '$PWD/out/MinioRestore/MinioRestore.psd1'
\$c = [pscredential]::new('$KEY', [System.Net.NetworkCredential]::new('', '$SECRET').SecurePassword)
Register-RestoreClients -S3Endpoint \$S3Endpoint -MinioEndpoint $DST -MinioCredential \$c | Out-Null
\$clock = [Diagnostics.Stopwatch]::StartNew()
\$r = Start-MinioRestore -Bucket big
"seconds: {0:0.00} copied: {1} skipped: {2} status: {3}" -f \$clock.Elapsed.TotalSeconds, \$r.Copied, \$r.Skipped, \$r.Status
PS
for side in SRC WSRC DST; do
  export RCLONE_CONFIG_${side}_TYPE=s3 RCLONE_CONFIG_${side}_PROVIDER=Ceph RCLONE_CONFIG_${side}_ACCESS_KEY_ID=$KEY \
         RCLONE_CONFIG_${side}_SECRET_ACCESS_KEY=$SECRET RCLONE_CONFIG_${side}_REGION=us-east-1
done
export RCLONE_CONFIG_SRC_ENDPOINT=$SRC RCLONE_CONFIG_WSRC_ENDPOINT=$WSRC RCLONE_CONFIG_DST_ENDPOINT=$DST
timed() { local t=$(date +%s.%N); "$@" >/dev/null 2>&1; since "$t"; }
declare -A NOOP
for ms in 0 "$WAN_MS"; do
  endpoint=$SRC remote=src; [ "$ms" = 0 ] || { endpoint=$WSRC; remote=wsrc; }
  for (( run = 1; run <= REPEAT; run++ )); do
    start=$(log_lines)
    line=$("$PWSH" -NoProfile -NonInteractive -File "$work/restore.ps1" -S3Endpoint "$endpoint")
    [[ $line == *"copied: 0 "* && $line == *"status: Succeeded"* ]] || { echo "(b) our rerun was no no-op: $line" >&2; exit 1; }
    sleep 0.3
    NOOP[ours-$ms]+="$(sed -nE 's/seconds: ([^ ]+).*/\1/p' <<<"$line") s ($(requests big "$start")); "
    start=$(log_lines)
    NOOP[size-$ms]+="$(timed rclone copy "$remote:big" dst:big --size-only --checkers 64) s ($(requests big "$start")); "
    start=$(log_lines)
    NOOP[fast-$ms]+="$(timed rclone copy "$remote:big" dst:big --size-only --fast-list --checkers 64) s ($(requests big "$start")); "
  done
  echo "(b) no-op rerun of $BIG +$ms ms: ours ${NOOP[ours-$ms]} rclone --size-only ${NOOP[size-$ms]} --fast-list ${NOOP[fast-$ms]}" >&2
done

rows=""
row() { rows+="$1"$'\n'; }
for bucket in flat versions big; do
  case $bucket in
    flat) name="$N flat keys (obj/NNNNNNN)";;
    versions) name="the version listing of $VKEYS keys x $VERSIONS versions, every third deleted";;
    big) name="$BIG flat keys";;
  esac
  for ms in 0 "$WAN_MS"; do
    via="straight"; [ "$ms" = 0 ] || via="+$ms ms per round trip"
    row "| (a) $name, $via: one chain of pages | ${LIST[$bucket-$ms-serial]%; } |"
    row "| (a) the same: key ranges | ${LIST[$bucket-$ms-ranges]%; } |"
  done
done
for ms in 0 "$WAN_MS"; do
  via="straight"; [ "$ms" = 0 ] || via="source +$ms ms per round trip"
  row "| (b) no-op rerun of $BIG, $via: ours (Start-MinioRestore) | ${NOOP[ours-$ms]%; } |"
  row "| (b) the same: rclone copy --size-only --checkers 64 | ${NOOP[size-$ms]%; } |"
  row "| (b) the same: rclone copy --size-only --fast-list --checkers 64 | ${NOOP[fast-$ms]%; } |"
done
rows=${rows%$'\n'}
report=$(cat <<MD

## $(date -u +%Y-%m-%dT%H:%MZ) listing (bench/listing.sh N=$N VKEYS=$VKEYS VERSIONS=$VERSIONS BIG=$BIG WAN_MS=$WAN_MS REPEAT=$REPEAT) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (shared with other agents' runs)

Seconds per run, in run order, with the source's requests of that run (pages, probes of one key, survey pages), from its gateway's log; rclone's and the no-op rerun's count every ListObjectsV2 of the bucket. Seeding: $N flat in $seed_flat s, $VKEYS x $VERSIONS versions in $seed_versions s, $BIG on both ends in $seed_big s. Objects of 1 KiB.

| case | runs |
|---|---|
$rows
MD
)
echo "$report"
echo "$report" >> bench/RESULTS.md
