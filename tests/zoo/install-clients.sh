#!/usr/bin/env bash
# Installs the S3 clients that write the backup zoo (tests/MinioRestore.Tests/Zoo), where missing:
# s3cmd and rclone from Debian; awscli and boto3 from wherever they already are (pyenv, pip),
# else Debian's awscli and python3-boto3 (PyPI may not be reachable). Idempotent and silent when
# everything is there. The .NET clients (AWSSDK.S3, Minio) come with the test project from NuGet.
set -euo pipefail
need=()
command -v s3cmd >/dev/null || need+=(s3cmd)
command -v rclone >/dev/null || need+=(rclone)
command -v aws >/dev/null || need+=(awscli)
# The zoo runs boto3 with `python3` (first on PATH, e.g. pyenv) or else Debian's /usr/bin/python3.
boto3_ok() { for py in python3 /usr/bin/python3; do command -v "$py" >/dev/null && "$py" -c 'import boto3' 2>/dev/null && return 0; done; return 1; }
boto3_ok || need+=(python3-boto3)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing: ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
