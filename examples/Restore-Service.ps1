<#
.SYNOPSIS
    Restores every bucket of one MinIO service from its S3 backup, writes a JSON and a CSV report,
    and exits non-zero when any bucket failed.

.DESCRIPTION
    The runbook for a whole DC/OS MinIO service: its backup plan stored MinIO bucket <b> in the S3
    bucket <ServiceName>-<b>. Start-MinioRestore -ServiceName restores each of them into MinIO
    bucket <b> (creating it when missing) and writes one result per bucket; other buckets are left
    alone. Nothing is deleted, and an object that differs on MinIO is reported as a conflict and
    left alone unless -Overwrite is given. A rerun copies only what is still missing, so after a
    failure, fix the cause and run the same command again.

    Credentials: for S3, -S3Credential, or -S3ProfileName (an AWS CLI profile), or the
    AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment variables as the restore plan had them.
    For MinIO, -MinioAlias (an mc alias: the MC_HOST_<alias> environment variable or mc's
    config.json), or -MinioEndpoint with -MinioCredential. No secret is written to the reports.

    Exit codes: 0 every bucket restored (and, with -Verify, verified); 1 a bucket failed, was
    stopped or did not verify: see the reports and the errors above them; 2 the run stopped: an
    endpoint, credential or parameter was refused, a connection was lost (the reports, if any, hold
    the buckets finished before), or the service has no backup bucket. After 1 or 2, fix the cause
    and run the same command again: it copies only what is still missing. 3 every bucket restored
    except archived objects (GLACIER, DEEP_ARCHIVE) that cannot be read yet: with -RestoreArchived
    their restore was requested (or is under way); run the same command again once they are
    readable (Standard tier: hours, Bulk: up to two days) until it exits 0. Buckets with such
    objects are not verified until then (Verified is empty in the reports).

.PARAMETER ServiceName
    The service whose backup to restore: every S3 bucket named <ServiceName>-<bucket>.

.PARAMETER S3Endpoint
    The S3 store holding the backup. Default: the S3_ENDPOINT environment variable, else Amazon S3.

.PARAMETER S3Region
    The S3 region. Default: AWS_REGION / AWS_DEFAULT_REGION, else us-east-1.

.PARAMETER S3Credential
    S3 access key id (user name) and secret key (password).

.PARAMETER S3ProfileName
    An AWS shared-credentials profile to take the S3 credentials from instead.

.PARAMETER MinioAlias
    The mc alias of the MinIO server (MC_HOST_<alias>, or an alias in mc's config.json). Default: minio.

.PARAMETER MinioEndpoint
    The MinIO server's URL, when not given by an alias, e.g. https://minio.example:9000.

.PARAMETER MinioCredential
    MinIO access key (user name) and secret key (password), with -MinioEndpoint.

.PARAMETER MinioCaBundle
    A PEM file with the CA certificate(s) of MinIO's TLS certificate, when a private CA signed it.

.PARAMETER OutputDirectory
    Where the reports go: restore-<ServiceName>-<time>.json and .csv. Default: the current directory.

.PARAMETER Overwrite
    Replace objects that differ on MinIO with the backup's version (still deletes nothing).

.PARAMETER AsOf
    Restore the service as it was at this instant (before an incident), from the versions of its
    versioned backup buckets: per key the newest version at or before it. A time without an offset
    is local time; add Z or an offset for UTC. With -Verify, the check compares with that state.
    With -AllVersions, each key's history up to that instant.

.PARAMETER AllVersions
    Restore every key's whole history (versions oldest first, delete markers in their places) into
    versioned MinIO buckets, instead of the latest objects; versioning is enabled on them. A rerun
    writes only the rest of each history. With -Verify, the check compares the histories. Not with
    -Overwrite (a history is never rewritten).

.PARAMETER RestoreArchived
    Request the restore of archived backup objects (GLACIER, DEEP_ARCHIVE), which cannot be read
    until Amazon S3 restores them, and copy those already readable. The run exits 3 while any is
    pending; run it again later. Without it, archived objects are only counted (and exit 3 too).

.PARAMETER RestoreTier
    With -RestoreArchived: Amazon's retrieval tier, Standard (hours, the default), Bulk (cheapest,
    up to two days) or Expedited (minutes, GLACIER only).

.PARAMETER RestoreDays
    With -RestoreArchived: days the restored copies stay readable on S3 (default 7), long enough for
    the later run.

.PARAMETER Verify
    After the restore, compare each restored bucket with its backup (Test-MinioRestore) and report
    Verified = True/False per bucket.

.PARAMETER VerifyContent
    With -Verify, read both sides and compare every object's bytes, not only sizes and ETags.

.PARAMETER Concurrency
    Objects copied at once (Start-MinioRestore's default when not given).

.PARAMETER CheckpointPath
    A folder for the checkpoints (one file per bucket and shard): a rerun with the same folder
    (a pod rescheduled, a node rebooted) starts each bucket after the last key up to which
    everything was done instead of listing it all again. Default: the RESTORE_CHECKPOINT_PATH
    environment variable; none when that is empty.

.PARAMETER ShardIndex
    This shard's number (0-based) when -ShardCount runs share the restore. Default: the
    JOB_COMPLETION_INDEX environment variable, which a Kubernetes Indexed Job sets in each pod.

.PARAMETER ShardCount
    How many shards share the restore, each taking a disjoint share of every bucket's keys.
    Default: the SHARD_COUNT environment variable; no sharding when that is empty. The reports
    are named restore-<ServiceName>-shard-<i>-of-<n>-<time>; Merge-RestoreResult -Path puts them
    together into one result per bucket. -Verify is left to after the merge (a shard's verification
    would compare the whole bucket while other shards still copy).

.EXAMPLE
    ./Restore-Service.ps1 -ServiceName minio-prod -OutputDirectory /results -Verify

    S3 credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, MinIO from MC_HOST_minio.

.EXAMPLE
    ./Restore-Service.ps1 -ServiceName minio-prod -AsOf '2026-11-30T02:00Z' -Overwrite -Verify

    Puts every bucket back to its state at 02:00 UTC on 30 November (the backup buckets are versioned).

.EXAMPLE
    ./Restore-Service.ps1 -ServiceName minio-prod -RestoreArchived -RestoreTier Bulk -Verify; $LASTEXITCODE

    Step one of a backup whose old objects moved to GLACIER: copies what is readable, requests the
    restore of the rest and exits 3. Run the same line again after the tier's delay: it copies the
    objects restored by then, verifies the buckets that are complete, and exits 0 when nothing is
    pending (3 again while some still are).

.EXAMPLE
    ./Restore-Service.ps1 -ServiceName minio-prod -AllVersions -Verify

    Restores every version of every object of the service, with its delete markers, and checks the histories.

.EXAMPLE
    ./Restore-Service.ps1 -ServiceName minio-prod -OutputDirectory /results -CheckpointPath /checkpoints -ShardIndex 2 -ShardCount 4

    Shard 2 of 4 (one pod of an Indexed Job: examples/kubernetes/restore-indexed-job.yaml); then
    Merge-RestoreResult -Path /results/restore-minio-prod-shard-*.json gives one result per bucket.

.EXAMPLE
    ./Restore-Service.ps1 -ServiceName minio-prod -S3Endpoint https://s3.eu.example.net -S3Credential (Get-Credential) -MinioEndpoint https://minio.example:9000 -MinioCredential (Get-Credential) -WhatIf

    Shows what would be restored, bucket by bucket and object by object, without writing anything.

.OUTPUTS
    MinioRestore.Engine.Mirror.RestoreResult, one per bucket (also in the reports).
#>
#Requires -Version 7.4
#Requires -Modules MinioRestore

[CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'MinioAlias')]
param(
    [Parameter(Mandatory)]
    [ValidateNotNullOrEmpty()]
    [string] $ServiceName,

    [string] $S3Endpoint = $env:S3_ENDPOINT,
    [string] $S3Region,
    [pscredential] $S3Credential,
    [string] $S3ProfileName,

    [Parameter(ParameterSetName = 'MinioAlias')]
    [ValidateNotNullOrEmpty()]
    [string] $MinioAlias = 'minio',

    [Parameter(Mandatory, ParameterSetName = 'MinioEndpoint')]
    [string] $MinioEndpoint,

    [Parameter(Mandatory, ParameterSetName = 'MinioEndpoint')]
    [pscredential] $MinioCredential,

    [string] $MinioCaBundle,
    [string] $OutputDirectory = '.',
    [switch] $Overwrite,
    [datetime] $AsOf,
    [switch] $RestoreArchived,
    [ValidateSet('Standard', 'Bulk', 'Expedited')]
    [string] $RestoreTier,
    [ValidateRange(1, 36500)]
    [int] $RestoreDays,
    [switch] $AllVersions,
    [switch] $Verify,
    [switch] $VerifyContent,

    [ValidateRange(1, 512)]
    [int] $Concurrency,

    [string] $CheckpointPath = $env:RESTORE_CHECKPOINT_PATH,
    [Nullable[int]] $ShardIndex,
    [Nullable[int]] $ShardCount
)

Set-StrictMode -Version 3.0
# Per-object errors must not end the run: every bucket is restored, then the exit code tells.
$ErrorActionPreference = 'Continue'

$register = @{}
if ($S3Endpoint) { $register.S3Endpoint = $S3Endpoint }
if ($S3Region) { $register.S3Region = $S3Region }
if ($S3Credential) { $register.S3Credential = $S3Credential }
if ($S3ProfileName) { $register.ProfileName = $S3ProfileName }
if ($PSCmdlet.ParameterSetName -eq 'MinioAlias') {
    $register.MinioAlias = $MinioAlias
} else {
    $register.MinioEndpoint = $MinioEndpoint
    $register.MinioCredential = $MinioCredential
}
if ($MinioCaBundle) { $register.MinioCaBundle = $MinioCaBundle }

$restore = @{ ServiceName = $ServiceName; Overwrite = $Overwrite }
if ($Concurrency) { $restore.Concurrency = $Concurrency }
if ($RestoreArchived) {
    $restore.RestoreArchived = $true
    if ($RestoreTier) { $restore.RestoreTier = $RestoreTier }
    if ($RestoreDays) { $restore.RestoreDays = $RestoreDays }
}
if ($CheckpointPath) { $restore.CheckpointPath = $CheckpointPath }
# A Kubernetes Indexed Job gives each pod its index; the Job's manifest gives the count.
if ($null -eq $ShardIndex -and $env:JOB_COMPLETION_INDEX) { $ShardIndex = [int]$env:JOB_COMPLETION_INDEX }
if ($null -eq $ShardCount -and $env:SHARD_COUNT) { $ShardCount = [int]$env:SHARD_COUNT }
$sharded = $null -ne $ShardCount -and $ShardCount -gt 1
if ($null -ne $ShardCount) {
    $restore.ShardCount = $ShardCount
    $restore.ShardIndex = if ($null -ne $ShardIndex) { $ShardIndex } else { 0 }
}
if ($sharded -and $Verify) {
    Write-Warning "Shard $($restore.ShardIndex) of ${ShardCount}: -Verify is left out (it would compare whole buckets while other shards still copy); verify once every shard has finished and the reports are merged (Merge-RestoreResult)."
    $Verify = [switch]$false
}
$pointInTime = @{}
if ($PSBoundParameters.ContainsKey('AsOf')) { $pointInTime.AsOf = $AsOf }
if ($AllVersions) { $pointInTime.AllVersions = $true }

try {
    $clients = Register-RestoreClients @register -ErrorAction Stop
} catch {
    Write-Error -ErrorRecord $_
    exit 2
}

$restoreErrors = [System.Collections.ArrayList]::new()
$results = [System.Collections.Generic.List[object]]::new()
$stoppedBy = $null
try {
    # Collected as they come, so the reports keep the buckets finished before a stop.
    Start-MinioRestore -Clients $clients @restore @pointInTime -ErrorVariable +restoreErrors | ForEach-Object { $results.Add($_) }
} catch {
    # A refused credential, a lost connection or a bad name stops the whole run.
    $stoppedBy = $_
    Write-Error -ErrorRecord $_
}
if ($WhatIfPreference -and -not $stoppedBy) { exit 0 }
if ($results.Count -eq 0) {
    if (-not $stoppedBy) { Write-Error "Nothing restored: no S3 bucket named '$ServiceName-<bucket>' was restored (see the errors above)." }
    exit 2
}

$verified = @{}
if ($Verify -and -not $stoppedBy) {
    # A bucket with archived objects still pending is incomplete by design: verified once they are copied.
    foreach ($result in $results | Where-Object Archived -eq 0) {
        $verified[$result.SourceBucket] = [bool](Test-MinioRestore -Clients $clients -Bucket $result.SourceBucket -TargetBucket $result.TargetBucket @pointInTime -Content:$VerifyContent -Quiet -ErrorVariable +restoreErrors)
    }
}

$report = $results | Select-Object -ExcludeProperty Status, Duration -Property @(
    @{ Name = 'Service'; Expression = { $ServiceName } }
    @{ Name = 'Status'; Expression = { [string]$_.Status } }
    '*'
    @{ Name = 'Duration'; Expression = { $_.Duration.ToString() } }
    @{ Name = 'Verified'; Expression = { if ($Verify) { $verified[$_.SourceBucket] } } }
)
$null = New-Item -ItemType Directory -Force -Path $OutputDirectory
$shardPart = if ($null -ne $ShardCount) { "-shard-{0}-of-{1}" -f $restore.ShardIndex, $ShardCount } else { '' }
$name = Join-Path $OutputDirectory ("restore-{0}{1}-{2:yyyyMMdd-HHmmss}" -f $ServiceName, $shardPart, (Get-Date))
ConvertTo-Json -InputObject @($report) -Depth 3 | Set-Content -Path "$name.json" -Encoding utf8
$report | Export-Csv -Path "$name.csv" -NoTypeInformation -Encoding utf8

$results
$failed = @($results | Where-Object Status -ne 'Succeeded')
$unverified = @($verified.GetEnumerator() | Where-Object Value -ne $true)
$archived = ($results | Measure-Object -Property Archived -Sum).Sum
Write-Host ("{0} bucket(s) of service '{1}': {2} failed, {3} did not verify, {4} error(s), {5} archived object(s) pending{6}. Reports: {7}.json, {7}.csv" -f
    $results.Count, $ServiceName, $failed.Count, $unverified.Count, $restoreErrors.Count, $archived, ($stoppedBy ? '; the run stopped early' : ''), $name)
if ($stoppedBy) { exit 2 }
if ($failed.Count + $unverified.Count + $restoreErrors.Count -gt 0) { exit 1 }
if ($archived -gt 0) {
    if ($RestoreArchived) {
        Write-Host 'Archived objects are pending restore on S3: run the same command again once they are readable (Standard tier: hours, Bulk: up to two days).'
    } else {
        Write-Host 'Archived objects were not copied: run again with -RestoreArchived to request their restore, then again once they are readable.'
    }
    exit 3
}
exit 0
