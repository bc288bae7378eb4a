#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and packages the MinioRestore module.
.DESCRIPTION
    Build:   dotnet build MinioRestore.sln, which lays out the importable module in out/MinioRestore.
    Test:    the xunit suite (tests/MinioRestore.Tests: the engine and the hosted PowerShell against real
             RGW servers) and the Pester acceptance suite (tests/Acceptance, in this pwsh); prints one
             "<suite>: N passed, N failed" line each and fails when either fails. On Linux it first runs
             tests/servers/install-packages.sh (RGW, and Pester into out/tools when no Pester 5+ is installed).
    Package: out/packages/MinioRestore.<version>.nupkg, which Install-PSResource / Install-Module accept from
             a local or private repository (the same packer as tools/package.sh), then proves it installs:
             Save-PSResource from a throwaway file repository and Import-Module in a new pwsh.
    Works in any pwsh 7.4+, installed or the .NET tool (dotnet tool install PowerShell), where a new pwsh is
    started from $PSHOME (under the .NET tool this process is dotnet, not pwsh).
.PARAMETER Task
    The tasks to run, in the order Build, Test, Package.
.PARAMETER TestSuite
    With -Task Test: xunit, Pester or both (the default).
.EXAMPLE
    ./build.ps1                      # build, test, package
.EXAMPLE
    ./build.ps1 -Task Build, Package
.EXAMPLE
    ./build.ps1 -Task Test -TestSuite Pester
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = @('Build', 'Test', 'Package'),
    [string] $Configuration = 'Release',
    [ValidateSet('xunit', 'Pester')]
    [string[]] $TestSuite = @('xunit', 'Pester')
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
# A new pwsh: this one's own executable, found from $PSHOME ((Get-Process -Id $PID).Path is dotnet under the .NET tool).
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')

if ('Build' -in $Task) {
    dotnet build MinioRestore.sln -c $Configuration -nologo -v q -clp:NoSummary
    if ($LASTEXITCODE) { throw "dotnet build failed ($LASTEXITCODE)" }
    "Build: $(Join-Path $PSScriptRoot 'out/MinioRestore')"
}

if ('Test' -in $Task) {
    if ($IsLinux) {
        bash tests/servers/install-packages.sh
        if ($LASTEXITCODE) { throw "tests/servers/install-packages.sh failed ($LASTEXITCODE)" }
    }
    $failures = @()
    if ('xunit' -in $TestSuite) {
        $results = Join-Path ([IO.Path]::GetTempPath()) "minio-restore-xunit.$PID"
        try {
            dotnet test tests/MinioRestore.Tests -c $Configuration --no-build -nologo --logger 'trx;LogFileName=tests.trx' `
                --logger 'console;verbosity=normal' --results-directory $results
            $exit = $LASTEXITCODE
            $trx = Join-Path $results 'tests.trx'
            if (Test-Path $trx) {
                $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
                "xunit: $($counters.passed) passed, $($counters.failed) failed"
            }
            if ($exit) { $failures += "xunit (exit $exit)" }
        } finally {
            Remove-Item -Recurse -Force $results -ErrorAction SilentlyContinue
        }
    }
    if ('Pester' -in $TestSuite) {
        # Pester 5+: the one tests/servers/install-packages.sh fetched from NuGet (out/tools), else an installed one.
        $pester = Get-ChildItem out/tools/packages/pester/*/tools/Pester.psd1 -ErrorAction SilentlyContinue | Select-Object -Last 1
        if (-not $pester) { $pester = Get-Module -ListAvailable Pester | Where-Object Version -ge '5.0' | Sort-Object Version | Select-Object -Last 1 }
        if (-not $pester) { throw 'Pester 5 or later is needed for the acceptance tests: Install-PSResource Pester (or, on Linux, tests/servers/install-packages.sh).' }
        Import-Module $(if ($pester -is [IO.FileInfo]) { $pester.FullName } else { $pester.Path }) -Force
        $pesterConfiguration = New-PesterConfiguration
        $pesterConfiguration.Run.Path = 'tests/Acceptance'
        $pesterConfiguration.Run.PassThru = $true
        $pesterConfiguration.Output.Verbosity = 'Detailed'
        $pesterConfiguration.Output.CIFormat = 'None'
        if ([Console]::IsOutputRedirected) { $pesterConfiguration.Output.RenderMode = 'Plaintext' }  # a CI log: no colour codes
        # As a user's session runs it: errors that do not stop a command do not stop a test either.
        $run = & { $ErrorActionPreference = 'Continue'; Invoke-Pester -Configuration $pesterConfiguration }
        "Pester $((Get-Module Pester).Version) in pwsh $($PSVersionTable.PSVersion) ($pwsh)"
        "pester: $($run.PassedCount) passed, $($run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount) failed, $($run.SkippedCount) skipped"
        if ($run.Result -ne 'Passed') { $failures += "Pester ($($run.FailedCount) test(s), $($run.FailedBlocksCount + $run.FailedContainersCount) block(s))" }
    }
    if ($failures) { throw "tests failed: $($failures -join ', ')" }
}

if ('Package' -in $Task) {
    # The same packer as tools/package.sh (tools/MinioRestore.Harness/Packager.cs): the nuspec
    # Publish-PSResource writes from the manifest, and the module's files at the package root.
    $packages = Join-Path $PSScriptRoot 'out/packages'
    $harness = Join-Path $PSScriptRoot "tools/MinioRestore.Harness/bin/$Configuration/net10.0/MinioRestore.Harness.dll"
    if (-not (Test-Path $harness)) { throw "nothing built yet: ./build.ps1 -Task Build, Package" }
    $package = dotnet $harness package $packages
    if ($LASTEXITCODE) { throw "packing failed ($LASTEXITCODE)" }
    "Package: $package"

    # Where PSResourceGet is installed (in the box since PowerShell 7.4), prove the package installs:
    # save it from a throwaway file repository and import the saved module in a new pwsh.
    if (Get-Command Save-PSResource -ErrorAction SilentlyContinue) {
        $repository = "MinioRestoreBuild$PID"
        # PSResourceGet keeps its repositories in LocalApplicationData, which .NET gives as '' (so the
        # current folder) until ~/.local/share exists, as on a fresh machine.
        if (-not $IsWindows -and -not [Environment]::GetFolderPath('LocalApplicationData')) {
            $null = New-Item -ItemType Directory -Force -Path ($env:XDG_DATA_HOME ? $env:XDG_DATA_HOME : (Join-Path $HOME '.local/share'))
        }
        $saved = (New-Item -ItemType Directory -Force -Path (Join-Path ([IO.Path]::GetTempPath()) $repository)).FullName
        Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
        try {
            $version = (Import-PowerShellDataFile out/MinioRestore/MinioRestore.psd1).ModuleVersion
            Save-PSResource -Name MinioRestore -Version $version -Repository $repository -Path $saved -TrustRepository
            $commands = & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$(Join-Path $saved MinioRestore)'; (Get-Command -Module MinioRestore).Name"
            if ($LASTEXITCODE -or 'Start-MinioRestore' -notin $commands) { throw "the saved package does not import: $commands" }
            "Package: installs with PSResourceGet (Save-PSResource, Import-Module: $($commands -join ', '))"
        } finally {
            Unregister-PSResourceRepository -Name $repository
            Remove-Item -Recurse -Force $saved -ErrorAction SilentlyContinue
        }
    }
}
