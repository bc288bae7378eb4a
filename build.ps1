#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and packages the MinioRestore module.
.DESCRIPTION
    Build:   dotnet build MinioRestore.sln, which lays out the importable module in out/MinioRestore.
    Test:    the xunit suite (tools/test.sh: real RGW servers, hosted PowerShell) and the Pester tests in tests/.
    Package: out/packages/MinioRestore.<version>.nupkg, which Install-PSResource / Install-Module accept from
             a local or private repository (the same packer as tools/package.sh; checked with PSResourceGet
             where it is installed).
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
    # The same packer as tools/package.sh (tools/MinioRestore.Harness/Packager.cs): the nuspec
    # Publish-PSResource writes from the manifest, and the module's files at the package root.
    $packages = Join-Path $PSScriptRoot 'out/packages'
    $harness = Join-Path $PSScriptRoot "tools/MinioRestore.Harness/bin/$Configuration/net10.0/MinioRestore.Harness.dll"
    $package = dotnet $harness package $packages
    if ($LASTEXITCODE) { throw "packing failed ($LASTEXITCODE)" }
    "Package: $package"

    # Where PSResourceGet is installed (in the box since PowerShell 7.4), prove the package installs:
    # save it from a throwaway file repository and import the saved module in a fresh pwsh.
    if (Get-Command Save-PSResource -ErrorAction SilentlyContinue) {
        $repository = "MinioRestoreBuild$PID"
        $saved = (New-Item -ItemType Directory -Force -Path (Join-Path ([IO.Path]::GetTempPath()) $repository)).FullName
        Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
        try {
            $version = (Import-PowerShellDataFile out/MinioRestore/MinioRestore.psd1).ModuleVersion
            Save-PSResource -Name MinioRestore -Version $version -Repository $repository -Path $saved -TrustRepository
            $commands = & (Get-Process -Id $PID).Path -NoProfile -Command "Import-Module '$(Join-Path $saved MinioRestore)'; (Get-Command -Module MinioRestore).Name"
            if ($LASTEXITCODE -or 'Start-MinioRestore' -notin $commands) { throw "the saved package does not import: $commands" }
            "Package: installs with PSResourceGet (Save-PSResource, Import-Module: $($commands -join ', '))"
        } finally {
            Unregister-PSResourceRepository -Name $repository
            Remove-Item -Recurse -Force $saved -ErrorAction SilentlyContinue
        }
    }
}
