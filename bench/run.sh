#!/usr/bin/env bash
# Side-by-side benchmark: rclone and Start-MinioRestore (default settings, in pwsh 7.6.9 as a user
# runs it: the .NET tool tests/servers/install-packages.sh puts in out/tools) on the same two local
# RGW clusters, in one run, tools taking turns (the order reversed every other round, each run into a
# bucket of its own), medians of REPEAT runs. Appends the figures to bench/RESULTS.md.
# Cases (issue 16):
#   small   SMALL x 4 KiB (rclone at its fastest, --s3-no-head, and with its HEAD per object)
#   noop    a rerun of small with nothing to copy (rclone --size-only, and its default compare)
#   few8    FEW x LARGE_MB MiB written by `aws s3 cp` with the default TransferConfig (8 MiB parts)
#   manyP   MANY x LARGE_MB MiB written by `aws s3 cp` with multipart_chunksize P MiB, for P in PARTS
#   huge    one HUGE_MB MiB object written by `aws s3 cp` (8 MiB parts), rclone with its defaults
#   wan_*   small (WAN_SMALL objects) and few8 with the source behind BenchTools delay-proxy
#           (+WAN_MS ms per round trip, loopback), both tools through the same proxy
#   scale   SMALL*SCALE x 4 KiB once per tool: is our memory flat with 10x the objects
# Per run: ours is checked (Status Succeeded, Copied == expected, Failed == 0) and reports the time
# Start-MinioRestore takes in the running session, the whole process (pwsh start, Import-Module,
# Register-RestoreClients, restore), the pwsh process's CPU seconds around Start-MinioRestore and the
# session's memory growth during it (peak RSS during the restore minus RSS before it, VmHWM reset
# through /proc/self/clear_refs); rclone is checked (exit code, then `rclone size` of the target:
# count and bytes) and reports its wall time, user+sys and peak RSS. The server pair's limit of each
# case is BenchTools plain-copy: a plain HttpClient with its own SigV4, nothing of the engine.
# Knobs (a quick run: REPEAT=1 SMALL=200 SCALE=2 FEW=2 MANY=2 LARGE_MB=16 HUGE_MB=64 WAN_SMALL=100 PARTS="8 16"):
#   REPEAT=3 SMALL=2000 SCALE=10 FEW=4 MANY=8 LARGE_MB=64 HUGE_MB=1024 PARTS="8 16 64" WAN_SMALL=500 WAN_MS=30
#   BENCH_PORT=19700 moves the servers (two blocks of 100 ports; the delay proxy takes BENCH_PORT+95).
#   CASES="small noop few many huge wan scale" picks cases (noop reruns small's restores: it runs small too;
#   e.g. CASES="small scale" for the memory figures alone); the report has rows for the cases run.
set -euo pipefail
cd "$(dirname "$0")/.."
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
REPEAT=${REPEAT:-3}; SMALL=${SMALL:-2000}; SCALE=${SCALE:-10}; FEW=${FEW:-4}; MANY=${MANY:-8}
LARGE_MB=${LARGE_MB:-64}; HUGE_MB=${HUGE_MB:-1024}; PARTS=${PARTS:-"8 16 64"}; WAN_SMALL=${WAN_SMALL:-500}; WAN_MS=${WAN_MS:-30}
CASES=" ${CASES:-small noop few many huge wan scale} "
[[ $CASES == *" noop "* && $CASES != *" small "* ]] && CASES+="small "
want() { [[ $CASES == *" $1 "* ]]; }
WITH_RCLONE=1 tests/servers/install-packages.sh
tests/zoo/install-clients.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet build bench/BenchTools -c Release -nologo -v q -clp:NoSummary >/dev/null
PWSH=out/tools/pwsh/pwsh
HARNESS=(dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll)
BENCH_TOOLS=(dotnet bench/BenchTools/bin/Release/net10.0/BenchTools.dll)

BENCH_PORT=${BENCH_PORT:-19700}
source bench/bench-pair.sh
bench_pair_up bench "$BENCH_PORT" $((8<<30))  # the source's data sets; the target is emptied after every large run
PROXY_PORT=$((BENCH_PORT + 95)) WSRC=http://127.0.0.1:$((BENCH_PORT + 95))
"${BENCH_TOOLS[@]}" delay-proxy "$PROXY_PORT" "$SRC" "$WAN_MS" >"$work/proxy.log" 2>&1 &
bench_pids+=($!)
# What the proxy adds, measured: one unauthenticated GET (an error answer) straight and through it, best of 5 each.
probe() { for _ in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "$1/"; done | sort -g | head -1; }
sleep 1; direct_rtt=$(probe "$SRC"); proxied_rtt=$(probe "$WSRC")
echo "a GET: direct $direct_rtt s, through the delay proxy $proxied_rtt s" >&2

MiB=1048576
echo "seeding: $SMALL, $((SMALL * SCALE)) and $WAN_SMALL x 4 KiB; awscli: $FEW and $MANY x $LARGE_MB MiB (parts: 8 and $PARTS MiB), 1 x $HUGE_MB MiB" >&2
want small && "${HARNESS[@]}" seed "$SRC" small "$SMALL" 4096 0 obj/ 2>/dev/null
want scale && "${HARNESS[@]}" seed "$SRC" many $((SMALL * SCALE)) 4096 0 obj/ 2>/dev/null
want wan && "${HARNESS[@]}" seed "$SRC" wan "$WAN_SMALL" 4096 0 obj/ 2>/dev/null
if want few || want many || want huge || want wan; then
mkdir -p "$work/files" "$work/few"
for i in $(seq "$(( MANY > FEW ? MANY : FEW ))"); do head -c $((LARGE_MB * MiB)) /dev/urandom >"$work/files/f$i"; done
for i in $(seq "$FEW"); do ln "$work/files/f$i" "$work/few/f$i"; done
head -c $((HUGE_MB * MiB)) /dev/urandom >"$work/huge.bin"
awscli() {  # awscli PART_MiB|default aws-args...: as a backup job runs it (tests/zoo/upload.sh's configuration)
  local part=$1; shift
  printf '[default]\nregion = us-east-1\n' >"$work/aws-config"
  [ "$part" = default ] || printf 's3 =\n  multipart_chunksize = %sMB\n' "$part" >>"$work/aws-config"
  AWS_CONFIG_FILE=$work/aws-config AWS_SHARED_CREDENTIALS_FILE=/dev/null aws --endpoint-url "$SRC" "$@"
}
{ want few || want wan; } && awscli default s3 mb s3://few8 >/dev/null && awscli default s3 cp --only-show-errors --recursive "$work/few" s3://few8/big/
want many && for p in $PARTS; do awscli default s3 mb "s3://many$p" >/dev/null && awscli "$p" s3 cp --only-show-errors --recursive "$work/files" "s3://many$p/big/"; done
want huge && awscli default s3 mb s3://huge >/dev/null && awscli default s3 cp --only-show-errors "$work/huge.bin" s3://huge/huge.bin
rm -rf "$work/files" "$work/few" "$work/huge.bin"
fi

for side in SRC DST WSRC; do
  export RCLONE_CONFIG_${side}_TYPE=s3 RCLONE_CONFIG_${side}_PROVIDER=Ceph RCLONE_CONFIG_${side}_ACCESS_KEY_ID=$KEY \
         RCLONE_CONFIG_${side}_SECRET_ACCESS_KEY=$SECRET RCLONE_CONFIG_${side}_REGION=us-east-1
done
export RCLONE_CONFIG_SRC_ENDPOINT=$SRC RCLONE_CONFIG_DST_ENDPOINT=$DST RCLONE_CONFIG_WSRC_ENDPOINT=$WSRC

cat > "$work/restore.ps1" <<'PS'
param([string]$Source, [string]$Target, [string]$From, [string]$Into)
Import-Module ./out/MinioRestore/MinioRestore.psd1
$c = [pscredential]::new($env:AWS_ACCESS_KEY_ID, [System.Net.NetworkCredential]::new('', $env:AWS_SECRET_ACCESS_KEY).SecurePassword)
Register-RestoreClients -S3Endpoint $Source -MinioEndpoint $Target -MinioCredential $c | Out-Null
function Kib([string]$field) { [long]((Get-Content /proc/self/status | Where-Object { $_ -like "${field}:*" }) -replace '\D', '') }
[IO.File]::WriteAllText('/proc/self/clear_refs', '5')   # VmHWM := VmRSS, so the peak below is the restore's
$rss = Kib VmRSS
$me = [Diagnostics.Process]::GetCurrentProcess()
$cpu = $me.TotalProcessorTime
$clock = [Diagnostics.Stopwatch]::StartNew()
$r = Start-MinioRestore -Bucket $From -TargetBucket $Into
$seconds = $clock.Elapsed.TotalSeconds
$me.Refresh()
$inv = [cultureinfo]::InvariantCulture
"result: status $($r.Status) copied $($r.Copied) skipped $($r.Skipped) failed $($r.Failed) seconds $($seconds.ToString('0.000', $inv)) cpu $(($me.TotalProcessorTime - $cpu).TotalSeconds.ToString('0.000', $inv)) growth $((Kib VmHWM) - $rss)"
PS

declare -A T P C PC G M RC RUNS   # per tool and case: session s, process s, session CPU, process CPU, growth KiB, peak RSS KiB, rclone CPU
record() { local k=$1; shift; while (( $# )); do eval "$1[\$k]+=\"$2 \""; shift 2; done; }
fail() { echo "FAILED: $1" >&2; cat "$2" >&2; exit 1; }
timed() {  # timed LOG COMMAND...: runs it, leaves "wall rss user sys" in $work/time
  local log=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >"$log" 2>&1 || fail "$*" "$log"
}
ours() {   # ours CASE SOURCE_URL FROM INTO EXPECTED_COPIED
  local name=$1 url=$2 from=$3 into=$4 expected=$5 log="$work/$1.ours.$RANDOM.log" wall rss user sys line
  timed "$log" "$PWSH" -NoProfile -NonInteractive -File "$work/restore.ps1" "$url" "$DST" "$from" "$into"
  read -r wall rss user sys <"$work/time"
  line=$(grep '^result: ' "$log" | tail -1) || fail "ours $name: no result" "$log"
  set -- $line
  [ "$3" = Succeeded ] && [ "$5" = "$expected" ] && [ "$9" = 0 ] || fail "ours $name: expected $expected copied, nothing failed: $line" "$log"
  record "o_$name" T "${11}" P "$wall" C "${13}" PC "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" G "${15}"
  echo "$name ours: ${11} s in session (process $wall s), cpu ${13} s, growth $(( ${15} / 1024 )) MB" >&2
}
rclone_run() {  # rclone_run KEY SOURCE_REMOTE FROM INTO EXPECTED_COUNT EXPECTED_BYTES ARGS...
  local name=$1 remote=$2 from=$3 into=$4 count=$5 bytes=$6 log="$work/$1.rclone.$RANDOM.log" wall rss user sys size; shift 6
  timed "$log" rclone copy "$remote:$from" "dst:$into" "$@"
  read -r wall rss user sys <"$work/time"
  size=$(rclone size "dst:$into" --json 2>/dev/null)
  [ "$size" = "{\"count\":$count,\"bytes\":$bytes,\"sizeless\":0}" ] || fail "rclone $name: target holds $size, expected $count objects, $bytes bytes" "$log"
  record "r_$name" T "$wall" M "$rss" RC "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
  echo "$name rclone: $wall s, cpu $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') s, $(( rss / 1024 )) MB" >&2
}
plain() {  # plain KEY FROM PART_BYTES STREAMS: the server pair's limit for the case (MB/s and objects/s)
  local name=$1 log="$work/$1.plain.$RANDOM.log"
  timed "$log" "${BENCH_TOOLS[@]}" plain-copy "$SRC" "$DST" "$2" "plain-$RANDOM" "$3" "$4"
  record "$name" L "$(sed -nE 's/.* = ([0-9.]+) MB\/s = ([0-9]+) objects\/s.*/\1/p' "$log")" LO "$(sed -nE 's/.* = ([0-9]+) objects\/s.*/\1/p' "$log")"
  empty_target
}
declare -A L LO
empty_target() {  # every bucket on the target emptied, and RGW's garbage collected now (memstore frees it then)
  local b
  for b in $(rclone lsd dst: 2>/dev/null | awk '{print $NF}'); do
    case $b in small-*|many-*) ;; *) rclone purge "dst:$b" >/dev/null 2>&1 ;; esac
  done
  radosgw-admin -c "$work/dst/ceph.conf" gc process --include-all >/dev/null 2>&1 || true
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
highest() { tr ' ' '\n' <<<"$1" | grep . | sort -g | tail -1; }
in_turns() {     # in_turns ROUND STEP...: the steps in order, or reversed in even rounds
  local round=$1; shift
  local steps=("$@") i
  if (( round % 2 )); then for i in "${steps[@]}"; do $i "$round"; done
  else for (( i = ${#steps[@]} - 1; i >= 0; i-- )); do ${steps[i]} "$round"; done; fi
}

RCLONE_SMALL="--transfers 64 --checkers 64 --s3-no-head"
RCLONE_LARGE="--transfers 16 --checkers 16 --s3-no-head"
small_bytes=$((SMALL * 4096)) large=$((LARGE_MB * MiB))
# small and its no-op rerun
s_ours() { ours small "$SRC" small "small-ours-$1" "$SMALL"; }
s_rclone() { rclone_run small src small "small-rclone-$1" "$SMALL" "$small_bytes" $RCLONE_SMALL; }
s_head() { rclone_run small_head src small "small-head-$1" "$SMALL" "$small_bytes" --transfers 64 --checkers 64; }
if want small; then
for round in $(seq "$REPEAT"); do in_turns "$round" s_head s_ours s_rclone; done
for round in $(seq "$REPEAT"); do plain small small 0 64; done
fi
n_ours() { ours noop "$SRC" small small-ours-1 0; }
n_rclone() { rclone_run noop src small small-rclone-1 "$SMALL" "$small_bytes" $RCLONE_SMALL --size-only; }
n_default() { rclone_run noop_default src small small-rclone-1 "$SMALL" "$small_bytes" $RCLONE_SMALL; }
want noop && for round in $(seq "$REPEAT"); do in_turns "$round" n_default n_ours n_rclone; done
# large objects: every run into an empty target
large_case() {  # large_case KEY BUCKET COUNT SIZE PART_MiB RCLONE_ARGS
  local key=$1 bucket=$2 count=$3 size=$4 part=$5 args=$6 round
  l_ours() { ours "$key" "$SRC" "$bucket" "$key-ours-$1" "$count"; empty_target; }
  l_rclone() { rclone_run "$key" src "$bucket" "$key-rclone-$1" "$count" $((count * size)) $args; empty_target; }
  for round in $(seq "$REPEAT"); do in_turns "$round" l_ours l_rclone; done
  for round in $(seq "$REPEAT"); do plain "$key" "$bucket" $((part * MiB)) 32; done
}
want few && large_case few8 few8 "$FEW" "$large" 8 "$RCLONE_LARGE"
want many && for p in $PARTS; do large_case "many$p" "many$p" "$MANY" "$large" "$p" "$RCLONE_LARGE"; done
want huge && large_case huge huge 1 $((HUGE_MB * MiB)) 8 ""
# the WAN case: the source behind the delay proxy, for both tools
w_ours() { ours wan_small "$WSRC" wan "wan-ours-$1" "$WAN_SMALL"; }
w_rclone() { rclone_run wan_small wsrc wan "wan-rclone-$1" "$WAN_SMALL" $((WAN_SMALL * 4096)) $RCLONE_SMALL; }
want wan && for round in $(seq "$REPEAT"); do in_turns "$round" w_ours w_rclone; done
wl_ours() { ours wan_few8 "$WSRC" few8 "wanl-ours-$1" "$FEW"; empty_target; }
wl_rclone() { rclone_run wan_few8 wsrc few8 "wanl-rclone-$1" "$FEW" $((FEW * large)) $RCLONE_LARGE; empty_target; }
want wan && for round in $(seq "$REPEAT"); do in_turns "$round" wl_ours wl_rclone; done
# memory at 10x the objects
if want scale; then
ours scale "$SRC" many many-ours $((SMALL * SCALE))
rclone_run scale src many many-rclone $((SMALL * SCALE)) $((SMALL * SCALE * 4096)) $RCLONE_SMALL
fi

for name in "${!T[@]}"; do
  RUNS[$name]=$(tr -s ' ' <<<"${T[$name]}" | sed 's/ $//; s/ /, /g')
  T[$name]=$(median "${T[$name]}")
done
for arr in P C PC G RC; do eval "for k in \"\${!$arr[@]}\"; do $arr[\$k]=\$(median \"\${$arr[\$k]}\"); done"; done
for k in "${!M[@]}"; do M[$k]=$(highest "${M[$k]}"); done
for k in "${!L[@]}"; do L[$k]=$(highest "${L[$k]}"); LO[$k]=$(highest "${LO[$k]}"); done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
per_object() { awk -v big="$1" -v small="$2" -v n=$(( (SCALE - 1) * SMALL )) 'BEGIN { printf "%.3f", 1000 * (big - small) / n }'; }   # ms of CPU per object, from the scale and small cases
fixed_part() { awk -v total="$1" -v per="$2" -v n="$SMALL" 'BEGIN { printf "%.2f", total - n * per / 1000 }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# KEY OURS_KEY DESCRIPTION BYTES: one row; rclone's figures from KEY, ours from OURS_KEY
row() {
  local k=$1 o=$2 what=$3 bytes=$4 limit=""
  [ -n "${T[o_$o]:-}" ] && [ -n "${T[r_$k]:-}" ] || return 0   # a case not run (CASES)
  if [ -n "${L[$o]:-}" ]; then
    if [ "$bytes" -gt $((16 * MiB)) ]; then limit="${L[$o]} MB/s; ours $(awk -v b="$bytes" -v t="${T[o_$o]}" -v l="${L[$o]}" 'BEGIN { printf "%.0f", 100 * b / t / 1e6 / l }')%, rclone $(awk -v b="$bytes" -v t="${T[r_$k]}" -v l="${L[$o]}" 'BEGIN { printf "%.0f", 100 * b / t / 1e6 / l }')%"
    else limit="${LO[$o]} obj/s; ours $(awk -v n="$5" -v t="${T[o_$o]}" -v l="${LO[$o]}" 'BEGIN { printf "%.0f", 100 * n / t / l }')%, rclone $(awk -v n="$5" -v t="${T[r_$k]}" -v l="${LO[$o]}" 'BEGIN { printf "%.0f", 100 * n / t / l }')%"; fi
  fi
  echo "| $what | ${T[r_$k]} s | ${T[o_$o]} s | ${P[o_$o]} s | $(ratio "${T[r_$k]}" "${T[o_$o]}") | $(ratio "${T[r_$k]}" "${P[o_$o]}") | ${RC[r_$k]} s | ${C[o_$o]} s (process ${PC[o_$o]} s) | $(ratio "${RC[r_$k]}" "${C[o_$o]}") | $(mb "${M[r_$k]}") MB | $(mb "${G[o_$o]}") MB | ${limit:-} |"
}
rows=""
add_row() { local r; r=$(row "$@"); [ -z "$r" ] || rows+="$r"$'\n'; }
add_row small small "small: $SMALL x 4 KiB" "$small_bytes" "$SMALL"
add_row small_head small "small, rclone with its HEAD per object" "$small_bytes" "$SMALL"
add_row noop noop "no-op rerun of small, rclone --size-only" 0
add_row noop_default noop "no-op rerun, rclone's default compare" 0
add_row few8 few8 "few: $FEW x $LARGE_MB MiB, awscli default (8 MiB parts)" $((FEW * large))
for p in $PARTS; do add_row "many$p" "many$p" "many: $MANY x $LARGE_MB MiB, awscli $p MiB parts" $((MANY * large)); done
add_row huge huge "huge: 1 x $HUGE_MB MiB, awscli default (8 MiB parts), rclone defaults" $((HUGE_MB * MiB))
add_row wan_small wan_small "WAN +$WAN_MS ms: $WAN_SMALL x 4 KiB" $((WAN_SMALL * 4096))
add_row wan_few8 wan_few8 "WAN +$WAN_MS ms: $FEW x $LARGE_MB MiB (8 MiB parts)" $((FEW * large))
add_row scale scale "scale: $((SMALL * SCALE)) x 4 KiB (one run each)" $((SMALL * SCALE * 4096))
memory_line=""
want small && want scale && memory_line="Our memory growth at ${SCALE}x the objects (scale vs small): $(ratio "${G[o_scale]}" "${G[o_small]}")x; rclone's peak RSS $(ratio "${M[r_scale]}" "${M[r_small]}")x.
CPU per object past the first $SMALL (scale minus small, over $(( (SCALE - 1) * SMALL )) objects): ours $(per_object "${C[o_scale]}" "${C[o_small]}") ms, rclone $(per_object "${RC[r_scale]}" "${RC[r_small]}") ms, rclone/ours $(ratio "$(per_object "${RC[r_scale]}" "${RC[r_small]}")" "$(per_object "${C[o_scale]}" "${C[o_small]}")"); what is left of the small case's CPU (the fixed part: a fresh session's JIT, connections, listing): ours $(fixed_part "${C[o_small]}" "$(per_object "${C[o_scale]}" "${C[o_small]}")") s, rclone $(fixed_part "${RC[r_small]}" "$(per_object "${RC[r_scale]}" "${RC[r_small]}")") s."
report=$(cat <<MD

## $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); rclone $(command rclone version | head -1 | awk '{print $2}'); load before the run ${LOAD_BEFORE:-$(cut -d' ' -f1-3 /proc/loadavg)}

Command: \`CASES="$(echo $CASES)" REPEAT=$REPEAT SMALL=$SMALL SCALE=$SCALE FEW=$FEW MANY=$MANY LARGE_MB=$LARGE_MB HUGE_MB=$HUGE_MB PARTS="$PARTS" WAN_SMALL=$WAN_SMALL WAN_MS=$WAN_MS bench/run.sh\`
(medians of $REPEAT runs, tools taking turns; highest peak RSS). Ours: \`Register-RestoreClients | Start-MinioRestore\` with default settings in pwsh
$("$PWSH" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()') (\`pwsh -NoProfile -File\`), checked per run (Succeeded, Copied as expected, nothing failed); rclone checked per run
(exit code, \`rclone size\` of the target). "session" is Start-MinioRestore's time in a running pwsh, "process" the whole pwsh process (start, import,
register, restore); our CPU is the pwsh process's CPU seconds around Start-MinioRestore (the process's user+sys beside it), our memory the session's
growth during the restore; rclone's CPU is its user+sys, its memory its peak RSS. rclone: small, no-op, wan small and scale \`$RCLONE_SMALL\`
(no-op: \`--size-only\`); large and wan few8 \`$RCLONE_LARGE\`; huge: rclone's defaults. Limit: BenchTools plain-copy (plain HttpClient, its own SigV4,
32 part streams or 64 objects at once, the case's part size), best of $REPEAT.

| case | rclone | ours, session | ours, process | rclone/ours (session) | rclone/ours (process) | rclone CPU | our CPU (session) | CPU rclone/ours | rclone peak RSS | our growth | server pair limit |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows%$'\n'}

The delay proxy: one GET on a new connection took $direct_rtt s straight, $proxied_rtt s through it (one round trip: the proxy accepts at once, so TCP handshakes are not delayed; a real WAN adds one more round trip per new connection).
${memory_line}
Every run, session s (ours) and wall s (rclone): $(for k in small noop few8 $(for p in $PARTS; do echo "many$p"; done) huge wan_small wan_few8; do printf '%s ours %s, rclone %s; ' "$k" "${RUNS[o_$k]:-}" "${RUNS[r_$k]:-}"; done)
MD
)
echo "$report"
echo "$report" >> bench/RESULTS.md
