#!/usr/bin/env bash
# Profiling aid for issue 3: copies COUNT (2000) x 4 KiB objects between two local RGW clusters
# through the engine (AWSSDK.S3) and through plain HttpClient + SigV4, and prints wall and CPU time
# of each. Tells how much of the small-object cost is the SDK's request pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-2000}
tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet build bench/SdkOverhead -c Release -nologo -v q -clp:NoSummary >/dev/null
work=$(mktemp -d /tmp/minio-restore-overhead.XXXXXX)
stop() { for s in src dst; do RGW_DIR=$work/$s FAST=1 tests/servers/rgw-down.sh 2>/dev/null || true; done; rm -rf "$work"; }
trap stop EXIT
export AWS_ACCESS_KEY_ID=OVERHEADACCESSKEY001 AWS_SECRET_ACCESS_KEY=overhead-secret-key-000000000000000000001
RGW_DIR=$work/src MON_PORT=19900 OSD_PORTS="19910 19949" RGW_PORT=19980 S3_ACCESS_KEY=$AWS_ACCESS_KEY_ID S3_SECRET_KEY=$AWS_SECRET_ACCESS_KEY tests/servers/rgw-up.sh >/dev/null 2>&1
RGW_DIR=$work/dst MON_PORT=20000 OSD_PORTS="20010 20049" RGW_PORT=20080 S3_ACCESS_KEY=$AWS_ACCESS_KEY_ID S3_SECRET_KEY=$AWS_SECRET_ACCESS_KEY tests/servers/rgw-up.sh >/dev/null 2>&1
dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll seed http://127.0.0.1:19980 small "$COUNT" 4096 0 obj/ 2>/dev/null
dotnet bench/SdkOverhead/bin/Release/net10.0/SdkOverhead.dll http://127.0.0.1:19980 http://127.0.0.1:20080 small "$COUNT"
