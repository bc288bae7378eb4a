# Dot-sourced by the acceptance tests: the throwaway RGW pair (tests/servers/pair.sh), seeding, and
# child pwsh processes with an environment of their own.

$script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:Manifest = Join-Path $Root 'out/MinioRestore/MinioRestore.psd1'
# The pwsh running these tests, by its path: under the .NET tool (Get-Process -Id $PID).Path is dotnet.
$script:Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$script:Harness = Join-Path $Root 'tools/MinioRestore.Harness/bin/Release/net10.0/MinioRestore.Harness.dll'

# Keys of the two servers: every secret below must never appear in any output.
$script:S3Key = 'PESTERS3ACCESSKEY001'
$script:S3Secret = 'pester-s3-secret-key-000000000000000000001'
$script:MinioKey = 'PESTERMINIOACCESSKEY'
$script:MinioSecret = 'pester-minio-secret-key-00000000000000001'
$script:Secrets = @($S3Secret, $MinioSecret)

function New-TestCredential([string] $User, [string] $Secret) {
    [pscredential]::new($User, (ConvertTo-SecureString $Secret -AsPlainText -Force))
}

# Starts the pair: the source (stand-in for Amazon S3) on ports BASE.., the target (MinIO) on BASE+100..
# MINIO_RESTORE_PESTER_PORT moves them (default 20100), e.g. beside an xunit run.
function Start-TestServers([string] $Directory) {
    $base = [int]($env:MINIO_RESTORE_PESTER_PORT ?? 20100)
    $pair = Join-Path $Root 'tests/servers/pair.sh'
    $endpoints = bash -c 'set -e; source "$1"; shift; pair_up "$@"; echo "$PAIR_SOURCE $PAIR_TARGET"' _ $pair `
        $Directory $base ($base + 100) $S3Key $S3Secret $MinioKey $MinioSecret
    if ($LASTEXITCODE) { throw "the RGW pair did not start on ports $base and $($base + 100) (exit $LASTEXITCODE)" }
    $source, $target = ($endpoints | Select-Object -Last 1) -split ' '
    [pscustomobject]@{ Source = $source; Target = $target; Directory = $Directory }
}

function Stop-TestServers([string] $Directory) {
    $pair = Join-Path $Root 'tests/servers/pair.sh'
    bash -c 'source "$1"; PAIR_DIR=$2 pair_down' _ $pair $Directory
}

# Seeds COUNT objects of SIZE bytes under PREFIX into BUCKET on the server ENDPOINT (created if missing).
function Add-TestObjects([string] $Endpoint, [string] $Bucket, [int] $Count, [long] $Size, [string] $Prefix = 'obj/', [string] $Key = $S3Key, [string] $Secret = $S3Secret) {
    Invoke-WithEnvironment @{ AWS_ACCESS_KEY_ID = $Key; AWS_SECRET_ACCESS_KEY = $Secret } {
        $out = dotnet $Harness seed $Endpoint $Bucket $Count $Size 0 $Prefix 2>&1
        if ($LASTEXITCODE) { throw "seeding $Bucket failed: $out" }
    }
}

# Runs SCRIPT with the environment variables set (null removes one), then puts them back.
function Invoke-WithEnvironment([hashtable] $Variables, [scriptblock] $Script) {
    $saved = @{}
    foreach ($name in $Variables.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Variables[$name])
    }
    try { & $Script } finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

# A new pwsh, non-interactive as in CI or a Kubernetes Job, with all its output (stdout and stderr) as
# text and its exit code: @{ Output; ExitCode }.
# With -Answer, an interactive pwsh instead, that reads those lines as a person's answers to its prompts.
function Invoke-Pwsh([string[]] $Arguments, [hashtable] $Environment = @{}, [string[]] $Answer) {
    Invoke-WithEnvironment $Environment {
        $output = if ($Answer) { $Answer | & $Pwsh -NoProfile @Arguments 2>&1 } else { & $Pwsh -NoProfile -NonInteractive @Arguments 2>&1 }
        $output = $output | ForEach-Object { "$_" }
        [pscustomobject]@{ Output = ($output -join [Environment]::NewLine); ExitCode = $LASTEXITCODE }
    }
}

# The environment of a user whose home is HOME: PSModulePath, PSResourceGet's and PowerShellGet's
# repositories and installed modules all live below it, so installing touches nothing else.
function Get-IsolatedHome([string] $HomeDirectory) {
    # .NET finds no LocalApplicationData (and PSResourceGet would write to the current folder) unless it exists.
    foreach ($folder in '.local/share', '.config', '.cache') { $null = New-Item -ItemType Directory -Force -Path (Join-Path $HomeDirectory $folder) }
    @{
        HOME = $HomeDirectory; XDG_DATA_HOME = "$HomeDirectory/.local/share"; XDG_CONFIG_HOME = "$HomeDirectory/.config"
        XDG_CACHE_HOME = "$HomeDirectory/.cache"; PSModulePath = $null
    }
}
