#!/usr/bin/env bash
# The whole test suite: installs what it needs (RGW servers, PowerShell 7.6.9 as a .NET tool and Pester
# into out/tools; tests/servers/install-packages.sh), then, in that pwsh, runs build.ps1's Build and Test
# tasks: the module is built (out/MinioRestore), the xunit suite runs (mirror library and hosted
# PowerShell, against real RGW clusters it starts and stops), then the Pester acceptance suite
# (tests/Acceptance: the module in pwsh as users run it, on an RGW pair of its own). Prints one
# "xunit: N passed, N failed" and one "pester: N passed, N failed" line; exits non-zero when either fails.
# Ports: MINIO_RESTORE_TEST_PORT (xunit) and MINIO_RESTORE_PESTER_PORT (Pester, default 20100).
set -euo pipefail
cd "$(dirname "$0")/.."
tests/servers/install-packages.sh
tests/zoo/install-clients.sh
exec out/tools/pwsh/pwsh -NoProfile -NonInteractive -Command './build.ps1 -Task Build, Test'
