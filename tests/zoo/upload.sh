#!/usr/bin/env bash
# Uploads one file to the zoo's backup bucket with a real S3 client, as a backup would:
#   upload.sh CLIENT SETTING FILE BUCKET KEY [client options...]
# CLIENT: awscli | s3cmd | rclone | boto3; SETTING: "default" or the client's part size in MiB.
# Environment: ZOO_ENDPOINT (http://host:port), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (never
# put on a command line). Client configuration goes to a temporary folder, removed on exit.
set -euo pipefail
client=$1 setting=$2 file=$3 bucket=$4 key=$5; shift 5
here=$(cd "$(dirname "$0")" && pwd)
conf=$(mktemp -d); trap 'rm -rf "$conf"' EXIT
hostport=${ZOO_ENDPOINT#http://}
case $client in
  awscli)
    # multipart_chunksize in the config file, as users set it (aws configure set s3.multipart_chunksize)
    printf '[default]\nregion = us-east-1\n' >"$conf/config"
    [ "$setting" = default ] || printf 's3 =\n  multipart_chunksize = %sMB\n' "$setting" >>"$conf/config"
    AWS_CONFIG_FILE=$conf/config AWS_SHARED_CREDENTIALS_FILE=/dev/null \
      aws --endpoint-url "$ZOO_ENDPOINT" s3 cp --only-show-errors "$file" "s3://$bucket/$key" "$@" ;;
  s3cmd)
    cat >"$conf/s3cfg" <<CFG
[default]
access_key = $AWS_ACCESS_KEY_ID
secret_key = $AWS_SECRET_ACCESS_KEY
host_base = $hostport
host_bucket = $hostport
use_https = False
signature_v2 = False
CFG
    [ "$setting" = default ] || echo "multipart_chunk_size_mb = $setting" >>"$conf/s3cfg"
    s3cmd -c "$conf/s3cfg" --no-progress --quiet put "$file" "s3://$bucket/$key" "$@" ;;
  rclone)
    # an on-the-fly remote configured from the environment; multipart forced from 5 MiB on
    export RCLONE_CONFIG=$conf/rclone.conf RCLONE_S3_PROVIDER=Ceph RCLONE_S3_ENDPOINT=$ZOO_ENDPOINT \
      RCLONE_S3_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID RCLONE_S3_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY RCLONE_S3_REGION=us-east-1
    args=(--s3-upload-cutoff 5M --s3-no-check-bucket)
    [ "$setting" = default ] || args+=(--s3-chunk-size "${setting}M")
    # rclone's AWS SDK fails on AWS_CA_BUNDLE with its own HTTP transport; the zoo's endpoint is plain http
    env -u AWS_CA_BUNDLE rclone copyto -q "${args[@]}" "$@" "$file" ":s3:$bucket/$key" ;;
  boto3)
    py=python3; python3 -c 'import boto3' 2>/dev/null || py=/usr/bin/python3
    "$py" "$here/boto3_upload.py" "$setting" "$file" "$bucket" "$key" "$@" ;;
  *) echo "unknown client $client" >&2; exit 2 ;;
esac
