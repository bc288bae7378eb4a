#!/usr/bin/env bash
# A real restore, end to end, on this machine: starts two local S3 servers (Ceph RGW) standing
# in for Amazon S3 and MinIO, seeds a backup bucket, runs Register-RestoreClients |
# Start-MinioRestore in pwsh (PowerShell 7.6.9, installed as a .NET tool into out/tools if missing),
# prints the result and stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary
harness() { dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll "$@"; }

source tests/servers/pair.sh
trap pair_down EXIT
echo "== starting two local S3 servers (stand-ins for Amazon S3 and MinIO)"
# MINIO_RESTORE_DEMO_PORT moves the servers (two blocks of 100 ports from it), e.g. beside a test run.
base=${MINIO_RESTORE_DEMO_PORT:-19500}
pair_up "$(mktemp -d /tmp/minio-restore-demo.XXXXXX)" "$base" "$((base + 100))" \
  DEMOS3ACCESSKEY00001 demo-s3-secret-key-0000000000000000000001 DEMOMINIOACCESSKEY01 demo-minio-secret-key-000000000000000001

# The restore plan's inputs.
export AWS_ACCESS_KEY_ID=DEMOS3ACCESSKEY00001 AWS_SECRET_ACCESS_KEY=demo-s3-secret-key-0000000000000000000001
export S3_BUCKET=svc-reports S3_ENDPOINT=$PAIR_SOURCE
export MINIO_ENDPOINT=$PAIR_TARGET MINIO_ACCESS_KEY=DEMOMINIOACCESSKEY01 MINIO_SECRET_KEY=demo-minio-secret-key-000000000000000001

echo "== seeding backup bucket s3/$S3_BUCKET: 500 small objects and 3 x 24 MiB multipart objects"
harness seed "$S3_ENDPOINT" "$S3_BUCKET" 500 16384 0 daily/
harness seed "$S3_ENDPOINT" "$S3_BUCKET" 3 25165824 8388608 archive/

echo "== restoring: Register-RestoreClients | Start-MinioRestore, once more (nothing left to copy), then Test-MinioRestore -Content"
# Any error ends the demo with exit 1.
out/tools/pwsh/pwsh -NoProfile -NonInteractive -Command '$ErrorActionPreference = "Stop"; Import-Module ./out/MinioRestore/MinioRestore.psd1; ./tools/demo-restore.ps1'
