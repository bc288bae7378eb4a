#!/usr/bin/env bash
# Installs what the tests, the demo and the benchmarks need and a fresh machine lacks:
# Ceph's RADOS Gateway (the real S3 servers the tests start) and, with WITH_RCLONE=1, rclone.
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
for cmd in radosgw ceph-mon ceph-osd ceph; do command -v "$cmd" >/dev/null || { need+=(radosgw ceph-mon ceph-osd ceph-common); break; }; done
command -v uuidgen >/dev/null || need+=(uuid-runtime)
if [ "${WITH_RCLONE:-0}" = 1 ]; then command -v rclone >/dev/null || need+=(rclone); fi
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing: ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
