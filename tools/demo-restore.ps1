# The DC/OS restore plan as two cmdlets. Credentials: AWS_* variables for S3 (as the plan took
# them), a PSCredential for MinIO.
$minio = [pscredential]::new($env:MINIO_ACCESS_KEY, [System.Net.NetworkCredential]::new('', $env:MINIO_SECRET_KEY).SecurePassword)

Register-RestoreClients -S3Endpoint $env:S3_ENDPOINT -MinioEndpoint $env:MINIO_ENDPOINT -MinioCredential $minio |
    Start-MinioRestore -Bucket $env:S3_BUCKET -TargetBucket reports

# A rerun copies nothing: every object is already there, decided from the two listings.
Start-MinioRestore -Bucket $env:S3_BUCKET -TargetBucket reports

# Verify independently: read both sides and compare the MD5 of every object's bytes.
"Restored and verified by content: $(Test-MinioRestore -Bucket $env:S3_BUCKET -TargetBucket reports -Content -Quiet)"
