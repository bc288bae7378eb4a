# Sourced by the benchmarks (from the repository's root): bench_pair_up NAME BASE_PORT STORE_BYTES starts two
# throwaway RGW clusters (tests/servers/pair.sh: the source on BASE_PORT, the target on BASE_PORT + 100) in a
# temporary folder $work (/tmp/minio-restore-NAME.*), sets SRC, DST, KEY, SECRET and SRC_LOG (the source
# gateway's log, where its requests are counted), exports the keys for every tool, and stops the servers and
# the processes put in bench_pids (delay proxies) when the script exits.
source tests/servers/pair.sh
bench_pids=()
bench_cleanup() { local pid; for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null; done; pair_down; }
bench_pair_up() {
  work=$(mktemp -d "/tmp/minio-restore-$1.XXXXXX")
  trap bench_cleanup EXIT
  KEY=BENCHACCESSKEY000001 SECRET=bench-secret-key-00000000000000000000001
  export STORE_BYTES=$3
  pair_up "$work" "$2" "$(($2 + 100))" "$KEY" "$SECRET"
  SRC=$PAIR_SOURCE DST=$PAIR_TARGET SRC_LOG=$work/src/log/client.rgw.gw0.log
  export AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET
  # The machine's AWS_CA_BUNDLE breaks rclone (and the servers are plain HTTP): unset for every tool alike.
  unset AWS_CA_BUNDLE
}
