#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and packages the MinioRestore module.
.DESCRIPTION
    Build:   dotnet build MinioRestore.sln, which lays out the importable module in out/MinioRestore.
    Test:    the xunit suite (tools/test.sh: real RGW servers, hosted PowerShell) and the Pester tests in tests/.
    Package: a .nupkg in out/packages that Install-PSResource / Install-Module accept from a local repository.
.EXAMPLE
    ./build.ps1                      # build, test, package
.EXAMPLE
    ./build.ps1 -Task Build, Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = @('Build', 'Test', 'Package'),
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$module = Join-Path $PSScriptRoot 'out/MinioRestore'

if ('Build' -in $Task) {
    dotnet build MinioRestore.sln -c $Configuration -nologo
    if ($LASTEXITCODE) { throw "dotnet build failed ($LASTEXITCODE)" }
}

if ('Test' -in $Task) {
    if ($IsLinux) { bash tools/test.sh } else { dotnet test tests/MinioRestore.Tests -c $Configuration --no-build }
    if ($LASTEXITCODE) { throw "xunit tests failed ($LASTEXITCODE)" }
    if (Get-Module -ListAvailable Pester | Where-Object Version -ge '5.0') {
        $result = Invoke-Pester -Path tests -PassThru -Output Detailed
        if ($result.FailedCount) { throw "$($result.FailedCount) Pester test(s) failed" }
    } else {
        Write-Warning 'Pester 5 is not installed; skipping the Pester tests (Install-Module Pester).'
    }
}

if ('Package' -in $Task) {
    Test-ModuleManifest (Join-Path $module 'MinioRestore.psd1') | Out-Null
    $packages = Join-Path $PSScriptRoot 'out/packages'
    New-Item -ItemType Directory -Force $packages | Out-Null
    $repository = 'MinioRestoreLocal'
    if (-not (Get-PSResourceRepository -Name $repository -ErrorAction SilentlyContinue)) {
        Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
    }
    Publish-PSResource -Path $module -Repository $repository
    Get-ChildItem $packages -Filter *.nupkg | ForEach-Object { "Package: $($_.FullName)" }
}
