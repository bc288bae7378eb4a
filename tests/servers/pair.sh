# Sourced by the demo and the benchmarks: two throwaway RGW clusters, a source and a target,
# with the port layout the C# tests use too (mon = base, OSDs base+10..base+49, S3 = base+80).
#   pair_up DIR SOURCE_BASE TARGET_BASE SOURCE_KEY SOURCE_SECRET [TARGET_KEY TARGET_SECRET]
#   trap pair_down EXIT
# Sets PAIR_SOURCE and PAIR_TARGET to the two S3 endpoints.
PAIR_SERVERS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

pair_up() {
  PAIR_DIR=$1
  local src=$2 dst=$3 src_key=$4 src_secret=$5 dst_key=${6:-$4} dst_secret=${7:-$5}
  RGW_DIR=$PAIR_DIR/src MON_PORT=$src OSD_PORTS="$((src + 10)) $((src + 49))" RGW_PORT=$((src + 80)) \
    S3_ACCESS_KEY=$src_key S3_SECRET_KEY=$src_secret "$PAIR_SERVERS/rgw-up.sh" >/dev/null 2>&1
  RGW_DIR=$PAIR_DIR/dst MON_PORT=$dst OSD_PORTS="$((dst + 10)) $((dst + 49))" RGW_PORT=$((dst + 80)) \
    S3_ACCESS_KEY=$dst_key S3_SECRET_KEY=$dst_secret "$PAIR_SERVERS/rgw-up.sh" >/dev/null 2>&1
  PAIR_SOURCE=http://127.0.0.1:$((src + 80))
  PAIR_TARGET=http://127.0.0.1:$((dst + 80))
}

pair_down() {
  [ -n "${PAIR_DIR:-}" ] || return 0
  RGW_DIR=$PAIR_DIR/src FAST=1 "$PAIR_SERVERS/rgw-down.sh" 2>/dev/null || true
  RGW_DIR=$PAIR_DIR/dst FAST=1 "$PAIR_SERVERS/rgw-down.sh" 2>/dev/null || true
  rm -rf "$PAIR_DIR"
}
