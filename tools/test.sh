#!/usr/bin/env bash
# The whole test suite: installs the S3 servers it needs, builds the module (out/MinioRestore)
# and runs every test (mirror library and hosted-PowerShell tests, against two real RGW
# clusters that the tests start and stop). Runs the Pester tests too where pwsh is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/servers/install-packages.sh
tests/zoo/install-clients.sh
dotnet build MinioRestore.sln -c Release -nologo -v q -clp:NoSummary
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test tests/MinioRestore.Tests -c Release --no-build -nologo --logger "trx;LogFileName=tests.trx" \
  --logger "console;verbosity=normal" --results-directory "$results" || status=$?
if command -v pwsh >/dev/null; then
  pwsh -NoProfile -Command 'Invoke-Pester -Path tests -CI' || status=1
fi
if [ -f "$results/tests.trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$results/tests.trx")
  passed=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  failed=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  echo "xunit: $passed passed, $failed failed"
fi
exit $status
