#!/usr/bin/env bash
# A real restore, end to end, on this machine: starts two local S3 servers (Ceph RGW) standing
# in for Amazon S3 and MinIO, seeds a backup bucket, runs Register-RestoreClients |
# Start-MinioRestore through the PowerShell engine, prints the result and stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary
harness() { dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll "$@"; }

work=$(mktemp -d /tmp/minio-restore-demo.XXXXXX)
stop() {
  RGW_DIR=$work/s3 FAST=1 tests/servers/rgw-down.sh 2>/dev/null || true
  RGW_DIR=$work/minio FAST=1 tests/servers/rgw-down.sh 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
echo "== starting two local S3 servers (stand-ins for Amazon S3 and MinIO)"
RGW_DIR=$work/s3 MON_PORT=19500 OSD_PORTS="19510 19549" RGW_PORT=19580 \
  S3_ACCESS_KEY=DEMOS3ACCESSKEY00001 S3_SECRET_KEY=demo-s3-secret-key-0000000000000000000001 tests/servers/rgw-up.sh >/dev/null 2>&1
RGW_DIR=$work/minio MON_PORT=19600 OSD_PORTS="19610 19649" RGW_PORT=19680 \
  S3_ACCESS_KEY=DEMOMINIOACCESSKEY01 S3_SECRET_KEY=demo-minio-secret-key-000000000000000001 tests/servers/rgw-up.sh >/dev/null 2>&1

# The restore plan's inputs.
export AWS_ACCESS_KEY_ID=DEMOS3ACCESSKEY00001 AWS_SECRET_ACCESS_KEY=demo-s3-secret-key-0000000000000000000001
export S3_BUCKET=svc-reports S3_ENDPOINT=http://127.0.0.1:19580
export MINIO_ENDPOINT=http://127.0.0.1:19680 MINIO_ACCESS_KEY=DEMOMINIOACCESSKEY01 MINIO_SECRET_KEY=demo-minio-secret-key-000000000000000001

echo "== seeding backup bucket s3/$S3_BUCKET: 500 small objects and 3 x 24 MiB multipart objects"
harness seed "$S3_ENDPOINT" "$S3_BUCKET" 500 16384 0 daily/
harness seed "$S3_ENDPOINT" "$S3_BUCKET" 3 25165824 8388608 archive/

echo "== restoring: Register-RestoreClients | Start-MinioRestore, once more (nothing left to copy), then Test-MinioRestore -Content"
harness ps -f tools/demo-restore.ps1
