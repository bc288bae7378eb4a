#!/usr/bin/env bash
# Profiling aid for issue 3: copies COUNT (2000) x 4 KiB objects between two local RGW clusters
# through the engine (twice: cold, then warm) and through a bare HttpClient + SigV4 loop (no listing,
# no checks), and prints wall and CPU time of each: the engine's per-object overhead over the bare
# minimum, and what the first run pays for JIT and connections.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-2000}
tests/servers/install-packages.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary >/dev/null
dotnet build bench/BenchTools -c Release -nologo -v q -clp:NoSummary >/dev/null
source tests/servers/pair.sh
trap pair_down EXIT
export AWS_ACCESS_KEY_ID=OVERHEADACCESSKEY001 AWS_SECRET_ACCESS_KEY=overhead-secret-key-000000000000000000001
pair_up "$(mktemp -d /tmp/minio-restore-overhead.XXXXXX)" 19900 20000 "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
dotnet tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll seed "$PAIR_SOURCE" small "$COUNT" 4096 0 obj/ 2>/dev/null
dotnet bench/BenchTools/bin/Release/net10.0/BenchTools.dll overhead "$PAIR_SOURCE" "$PAIR_TARGET" small "$COUNT"
