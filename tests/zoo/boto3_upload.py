"""Uploads one file with boto3's upload_file (s3transfer), as backup scripts do.

usage: boto3_upload.py SETTING FILE BUCKET KEY [ContentType=... Metadata.name=value ...]
SETTING: "default" (TransferConfig's 8 MiB) or multipart_chunksize in MiB.
"""
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig

setting, path, bucket, key = sys.argv[1:5]
extra = {}
for arg in sys.argv[5:]:
    name, value = arg.split("=", 1)
    if name.startswith("Metadata."):
        extra.setdefault("Metadata", {})[name[len("Metadata."):]] = value
    else:
        extra[name] = value
config = TransferConfig() if setting == "default" else TransferConfig(multipart_chunksize=int(setting) * 1024 * 1024)
s3 = boto3.client("s3", endpoint_url=os.environ["ZOO_ENDPOINT"], region_name="us-east-1")
s3.upload_file(path, bucket, key, ExtraArgs=extra or None, Config=config)
