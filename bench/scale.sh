#!/usr/bin/env bash
# Scale figures for issue 14, on two local RGW clusters, the module in pwsh as a user runs it.
# Appends the figures to bench/RESULTS.md.
#   (e) peak RSS and time per object: restores of N and of BIG objects of 1 KiB
#   (f) kill -9 after a third of an N-object restore with -CheckpointPath, then the resumed run:
#       its ListObjectsV2 requests on the source (counted in the source gateway's access log)
#       against a full pass, and its time
#   (g) 1, 2 and 4 shards (-ShardIndex/-ShardCount) at once, N objects: total time, per-shard
#       copies and times (balance)
#   (h) a no-op rerun of N: ours against rclone --size-only and --fast-list (the listing cost,
#       which every shard pays whole: the measurement behind hash shards, docs/SCALE.md)
#   (l) the listing (key ranges, issue 14): no-op reruns of N objects laid out flat (obj/NNNNNNN) and in
#       LIST_FOLDERS folders, straight and with the source behind BenchTools delay-proxy (LIST_WAN_MS per round
#       trip), this build against LIST_BASE's (default main: one chain of pages), REPEAT_L runs each, the two
#       builds taking turns; each run's time and its ListObjectsV2 requests on the source. Then the source
#       listing alone (BenchTools list: this build's lister, one chain of pages or key ranges), straight and
#       behind a delay proxy per LIST_FAR_MS latency
# N=20000 BIG=200000 BENCH_PORT=24800 override the sizes and the ports; CASES="e h f g l" picks cases. Seeding BIG objects takes
# minutes (the seeding rate is reported); BIG=0 leaves (e)'s second size out.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-20000}; BIG=${BIG:-200000}; BENCH_PORT=${BENCH_PORT:-24800}; CASES=" ${CASES:-e h f g l} "
LIST_FOLDERS=${LIST_FOLDERS:-100}; LIST_WAN_MS=${LIST_WAN_MS:-30}; LIST_FAR_MS=${LIST_FAR_MS:-"30 100"}; REPEAT_L=${REPEAT_L:-3}; LIST_BASE=${LIST_BASE:-main}
want() { [[ $CASES == *" $1 "* ]]; }
want e || BIG=0
WITH_RCLONE=1 tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
want l && dotnet build bench/BenchTools -c Release -nologo -v q -clp:NoSummary >/dev/null
PWSH=out/tools/pwsh/pwsh
BENCH_TOOLS=(dotnet bench/BenchTools/bin/Release/net10.0/BenchTools.dll)
HARNESS=(dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll)

source bench/bench-pair.sh
bench_pair_up scale "$BENCH_PORT" $((8<<30))

seed() {   # seed BUCKET COUNT: COUNT x 1 KiB; prints the seconds it took
  local start=$(date +%s.%N)
  "${HARNESS[@]}" seed "$SRC" "$1" "$2" 1024 0 obj/ >/dev/null 2>&1
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'
}
echo "seeding $N objects" >&2; seed_n=$(seed scale-n "$N")
seed_big=0
if (( BIG > 0 )); then echo "seeding $BIG objects" >&2; seed_big=$(seed scale-big "$BIG"); fi

cat > "$work/restore.ps1" <<PS
param([string] \$Source, [string] \$Target, [string] \$CheckpointPath, [Nullable[int]] \$ShardIndex, [Nullable[int]] \$ShardCount,
  [string] \$Module = '$PWD/out/MinioRestore/MinioRestore.psd1', [string] \$S3Endpoint = '$SRC')
Import-Module \$Module
\$c = [pscredential]::new('$KEY', [System.Net.NetworkCredential]::new('', '$SECRET').SecurePassword)
Register-RestoreClients -S3Endpoint \$S3Endpoint -MinioEndpoint $DST -MinioCredential \$c | Out-Null
\$extra = @{}
foreach (\$name in 'CheckpointPath', 'ShardIndex', 'ShardCount') { if (\$PSBoundParameters.ContainsKey(\$name)) { \$extra[\$name] = \$PSBoundParameters[\$name] } }
\$clock = [Diagnostics.Stopwatch]::StartNew()
\$r = Start-MinioRestore -Bucket \$Source -TargetBucket \$Target @extra
"seconds: {0:0.00} copied: {1} skipped: {2} status: {3} resumed-after: {4}" -f \$clock.Elapsed.TotalSeconds, \$r.Copied, \$r.Skipped, \$r.Status, \$r.ResumedAfter
PS
RESTORE=("$PWSH" -NoProfile -NonInteractive -File "$work/restore.ps1")
ours() { "${RESTORE[@]}" "$@"; }
field() { sed -nE "s/.*$1: ([^ ]+).*/\\1/p" <<<"$2" | tail -1; }
# The source's bucket listings (ListObjectsV2 pages; not the one-key bucket checks) since line $2 of its access log.
listings() { tail -n +"$2" "$SRC_LOG" | grep -E "\"GET /$1/?\?" | grep -F 'list-type=2' | grep -vcE 'max-keys=1( |&|")' || true; }
log_lines() { wc -l <"$SRC_LOG"; }

# (e) peak RSS and time per object
declare -A RSS SEC
want e && for size in n big; do
  [ "$size" = big ] && (( BIG == 0 )) && continue
  /usr/bin/time -f "%M" -o "$work/rss" "${RESTORE[@]}" scale-$size scale-$size-restored >"$work/e-$size.log" 2>&1
  grep -q "status: Succeeded" "$work/e-$size.log" || { echo "the restore of scale-$size did not succeed:" >&2; cat "$work/e-$size.log" >&2; exit 1; }
  RSS[$size]=$(( $(cat "$work/rss") / 1024 )); SEC[$size]=$(field seconds "$(cat "$work/e-$size.log")")
  echo "(e) $size: ${SEC[$size]} s, ${RSS[$size]} MB: $(tail -1 "$work/e-$size.log")" >&2
done

# (h) no-op rerun of n: ours, rclone --size-only, rclone --fast-list --size-only
for side in SRC DST; do
  export RCLONE_CONFIG_${side}_TYPE=s3 RCLONE_CONFIG_${side}_PROVIDER=Ceph RCLONE_CONFIG_${side}_ACCESS_KEY_ID=$KEY \
         RCLONE_CONFIG_${side}_SECRET_ACCESS_KEY=$SECRET RCLONE_CONFIG_${side}_REGION=us-east-1
done
export RCLONE_CONFIG_SRC_ENDPOINT=$SRC RCLONE_CONFIG_DST_ENDPOINT=$DST
noop_ours=- noop_rclone=- noop_fast=-
if want h; then
"${RESTORE[@]}" scale-n scale-n-restored >/dev/null 2>&1   # (h) is a rerun: the first pass, unless (e) made it
noop_ours=$(field seconds "$(ours scale-n scale-n-restored)")
t0=$(date +%s.%N); rclone copy src:scale-n dst:scale-n-restored --size-only --checkers 64 >/dev/null 2>&1; t1=$(date +%s.%N)
rclone copy src:scale-n dst:scale-n-restored --size-only --fast-list --checkers 64 >/dev/null 2>&1; t2=$(date +%s.%N)
noop_rclone=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'); noop_fast=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')
echo "(h) no-op rerun: ours $noop_ours s, rclone --size-only $noop_rclone s, --fast-list $noop_fast s" >&2
fi

# (l) the listing: no-op reruns, flat and in folders, straight and through the delay proxy, LIST_BASE's build and this one
declare -A LIST
if want l; then
  base_dir=$work/base
  mkdir -p "$base_dir"
  git archive "$LIST_BASE" | tar -x -C "$base_dir"
  (cd "$base_dir" && dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null)
  base_module=$base_dir/out/MinioRestore/MinioRestore.psd1 this_module=$PWD/out/MinioRestore/MinioRestore.psd1
  echo "seeding $N objects in $LIST_FOLDERS folders" >&2
  t0=$(date +%s.%N)
  seq -f '%03g' 0 $(( LIST_FOLDERS - 1 )) | xargs -P 4 -I{} "${HARNESS[@]}" seed "$SRC" scale-tree $(( N / LIST_FOLDERS )) 1024 0 "tree/{}/" >/dev/null 2>&1
  seed_tree=$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  WSRC=http://127.0.0.1:$((BENCH_PORT + 95))
  "${BENCH_TOOLS[@]}" delay-proxy "$((BENCH_PORT + 95))" "$SRC" "$LIST_WAN_MS" >"$work/proxy.log" 2>&1 &
  bench_pids+=($!)
  declare -A FAR
  port=$((BENCH_PORT + 96))
  for ms in $LIST_FAR_MS; do
    "${BENCH_TOOLS[@]}" delay-proxy "$port" "$SRC" "$ms" >"$work/proxy-$ms.log" 2>&1 &
    bench_pids+=($!); FAR[$ms]=http://127.0.0.1:$port; port=$((port + 1))
  done
  sleep 1
  for layout in n tree; do
    "${RESTORE[@]}" "scale-$layout" "scale-$layout-listed" >/dev/null 2>&1   # the first pass; the runs below are no-op reruns
    for path in direct wan; do
      endpoint=$SRC; [ "$path" = wan ] && endpoint=$WSRC
      for (( run = 1; run <= REPEAT_L; run++ )); do
        for build in base this; do
          module=$base_module; [ "$build" = this ] && module=$this_module
          start=$(log_lines)
          line=$(ours "scale-$layout" "scale-$layout-listed" -Module "$module" -S3Endpoint "$endpoint")
          [ "$(field copied "$line")" = 0 ] || { echo "(l) a rerun copied: $line" >&2; exit 1; }
          LIST[$layout-$path-$build]+="$(field seconds "$line") s ($(listings "scale-$layout" "$start") req); "
        done
      done
      echo "(l) $layout $path: $LIST_BASE ${LIST[$layout-$path-base]} this ${LIST[$layout-$path-this]}" >&2
    done
    for ms in 0 $LIST_FAR_MS; do
      endpoint=$SRC; [ "$ms" = 0 ] || endpoint=${FAR[$ms]}
      for (( run = 1; run <= REPEAT_L; run++ )); do
        for mode in serial ranges; do
          start=$(log_lines)
          line=$("${BENCH_TOOLS[@]}" list "$endpoint" "scale-$layout" "$mode" 1)
          [ "$(awk '{ print $3 }' <<<"$line")" = "$N" ] || { echo "(l) the listing of scale-$layout gave: $line" >&2; exit 1; }
          LIST[alone-$layout-$ms-$mode]+="$(awk '{ print $1 }' <<<"$line") s ($(listings "scale-$layout" "$start") req); "
        done
      done
      echo "(l) listing alone, $layout, +$ms ms: serial ${LIST[alone-$layout-$ms-serial]} ranges ${LIST[alone-$layout-$ms-ranges]}" >&2
    done
  done
fi

# (f) kill -9 after a third, then resume
if want f; then
ckpt=$work/kill.checkpoint.json
start=$(log_lines)
"${RESTORE[@]}" scale-n scale-n-killed -CheckpointPath "$ckpt" >"$work/f-killed.log" 2>&1 &
child=$!   # pwsh itself
while kill -0 "$child" 2>/dev/null; do
  done_keys=$(sed -nE 's/.*"keysDone": ([0-9]+).*/\1/p' "$ckpt" 2>/dev/null || true)
  (( ${done_keys:-0} >= N / 3 )) && break
  sleep 0.2
done
# pwsh (the .NET tool's launcher) runs the real pwsh as its child: kill -9 both, the child first.
pkill -KILL -P "$child" 2>/dev/null || true; kill -KILL "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true
sleep 1
killed_listings=$(listings scale-n "$start")
mark=$(sed -nE 's/.*"after": "([^"]*)".*/\1/p' "$ckpt")
start=$(log_lines)
resumed=$(ours scale-n scale-n-killed -CheckpointPath "$ckpt")
resumed_listings=$(listings scale-n "$start")
start=$(log_lines)
full=$(ours scale-n scale-n-full)
full_listings=$(listings scale-n "$start")
echo "(f) killed at mark '$mark' ($killed_listings listings); resumed: $resumed ($resumed_listings listings); full pass: $full ($full_listings listings)" >&2
fi

# (g) 1, 2 and 4 shards at once
declare -A SHARDS
want g && for count in 1 2 4; do
  t0=$(date +%s.%N)
  for (( i = 0; i < count; i++ )); do
    "${RESTORE[@]}" scale-n "scale-n-shards-$count" -ShardIndex "$i" -ShardCount "$count" >"$work/g-$count-$i.log" 2>&1 &
  done
  wait
  total=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  per=""
  for (( i = 0; i < count; i++ )); do
    line=$(tail -1 "$work/g-$count-$i.log")
    per+="shard $i: $(field copied "$line") copied in $(field seconds "$line") s; "
  done
  SHARDS[$count]="$total s total (${per%; })"
  echo "(g) $count shard(s): ${SHARDS[$count]}" >&2
done

per_obj() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.2f", 1000 * s / n }'; }
rows=""
row() { rows+="$1"$'\n'; }
if want e; then
  row "| (e) restore of $N objects | ${SEC[n]} s ($(per_obj "${SEC[n]}" "$N") ms/object), peak RSS ${RSS[n]} MB |"
  (( BIG > 0 )) && row "| (e) restore of $BIG objects | ${SEC[big]} s ($(per_obj "${SEC[big]}" "$BIG") ms/object), peak RSS ${RSS[big]} MB ($(awk -v a="${RSS[big]}" -v b="${RSS[n]}" 'BEGIN { printf "%.2f", a / b }')x) |"
fi
if want f; then
  row "| (f) killed -9 after a third ($N objects) | checkpoint at '$mark'; the killed run made $killed_listings source ListObjectsV2 requests |"
  row "| (f) resumed from the checkpoint | $(field seconds "$resumed") s, $(field copied "$resumed") copied, $(field skipped "$resumed") skipped, $resumed_listings source ListObjectsV2 requests |"
  row "| (f) full pass of the same bucket (no checkpoint, fresh target) | $(field seconds "$full") s, $full_listings source ListObjectsV2 requests |"
fi
if want g; then
  row "| (g) 1 shard | ${SHARDS[1]} |"
  row "| (g) 2 shards at once | ${SHARDS[2]} |"
  row "| (g) 4 shards at once | ${SHARDS[4]} |"
fi
want h && row "| (h) no-op rerun of $N: ours / rclone --size-only / rclone --size-only --fast-list | $noop_ours s / $noop_rclone s / $noop_fast s |"
if want l; then
  for layout in n tree; do
    for path in direct wan; do
      name="flat (obj/NNNNNNN)"; [ "$layout" = tree ] && name="in $LIST_FOLDERS folders"
      via="straight"; [ "$path" = wan ] && via="source behind the delay proxy (+$LIST_WAN_MS ms per round trip)"
      row "| (l) no-op rerun of $N, $name, $via: $LIST_BASE (one chain of pages) | ${LIST[$layout-$path-base]%; } |"
      row "| (l) the same: this build (key ranges) | ${LIST[$layout-$path-this]%; } |"
    done
  done
  for layout in n tree; do
    name="flat"; [ "$layout" = tree ] && name="in $LIST_FOLDERS folders"
    for ms in 0 $LIST_FAR_MS; do
      via="straight"; [ "$ms" = 0 ] || via="+$ms ms per round trip"
      row "| (l) the source listing alone of $N, $name, $via: one chain of pages | ${LIST[alone-$layout-$ms-serial]%; } |"
      row "| (l) the same: key ranges | ${LIST[alone-$layout-$ms-ranges]%; } |"
    done
  done
fi
rows=${rows%$'\n'}
report=$(cat <<MD

## $(date -u +%Y-%m-%dT%H:%MZ) scale (bench/scale.sh N=$N BIG=$BIG CASES="${CASES# }") on $(nproc) cores, shared with other test runs (figures taken under load)

Ours: \`Start-MinioRestore\` in pwsh $("$PWSH" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()'), default settings, objects of 1 KiB. Seeding: $N objects in $seed_n s$( (( BIG > 0 )) && echo ", $BIG in $seed_big s")$(want l && echo ", $N in $LIST_FOLDERS folders in $seed_tree s"). (l): seconds of Start-MinioRestore per run, in run order, with the source ListObjectsV2 requests of that run (bucket checks of one key not counted).

| case | figure |
|---|---|
$rows
MD
)
echo "$report"
echo "$report" >> bench/RESULTS.md
