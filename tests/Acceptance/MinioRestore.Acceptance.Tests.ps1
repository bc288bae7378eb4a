# The user-level acceptance suite: the module in the shell users have (pwsh 7.4+), doing what runbooks
# do, against a real pair of S3 servers (Ceph RGW) this file starts and stops. The engine's and the
# hosting's own proofs (faults, crashes, every error path, TLS, credentials) are the xunit suite's.
#   Invoke-Pester tests/Acceptance          (tools/test.sh installs pwsh and Pester and runs it)
# MINIO_RESTORE_PESTER_PORT moves the servers' ports (default 20100 and 20200).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestServers.ps1')
    if (-not (Test-Path $Manifest)) { throw "build first: dotnet build MinioRestore.sln -c Release ($Manifest is missing)" }
    $Work = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "minio-restore-pester.$([guid]::NewGuid().ToString('N').Substring(0, 8))")).FullName
    try {
        $Servers = Start-TestServers (Join-Path $Work 'pair')
        $Source = $Servers.Source
        $Target = $Servers.Target
        Add-TestObjects $Source reports 40 4096 'daily/'
        Add-TestObjects $Source reports 1 (6MB) 'archive/'
        foreach ($b in 'accsvc-alpha', 'accsvc-beta', 'runbook-one', 'runbook-two', 'runbad-one', 'jobs', 'pkg', 'whatif', 'mirror', 'confirm', 'shardsvc-gamma', 'shardsvc-delta', 'ckpt') {
            Add-TestObjects $Source $b 5 1024
        }
        Add-TestObjects $Source stoppable 400 (256KB)
        # A conflict for the runbook: the target already holds runbad-one's obj/0000 with other content.
        Add-TestObjects $Target one-of-runbad 1 100 'obj/' $MinioKey $MinioSecret
        # Objects only on the target, for -Remove.
        Add-TestObjects $Target mirror 2 10 'extra/' $MinioKey $MinioSecret
        Add-TestObjects $Target confirm 2 10 'extra/' $MinioKey $MinioSecret
    } catch {
        Stop-TestServers (Join-Path $Work 'pair')
        Remove-Item -Recurse -Force $Work
        throw
    }

    Import-Module $Manifest -Force
    $S3Cred = New-TestCredential $S3Key $S3Secret
    $MinioCred = New-TestCredential $MinioKey $MinioSecret
    $Register = @{ S3Endpoint = $Source; S3Credential = $S3Cred; MinioEndpoint = $Target; MinioCredential = $MinioCred }
    $Clients = Register-RestoreClients @Register -ErrorAction Stop

    # The MinIO buckets, as tab completion offers them (from the registered clients).
    function Get-TargetBucket([string] $Word = '') {
        $line = "Start-MinioRestore -TargetBucket $Word"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
    }
    function Assert-NoSecret([string] $Text) {
        foreach ($secret in $Secrets) { $Text | Should -Not -Match ([regex]::Escape($secret)) }
        $Text
    }
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -eq 'MinioRestoreJob' | Remove-Job -Force
    Remove-Module MinioRestore -ErrorAction SilentlyContinue
    if ($Work) {
        Stop-TestServers (Join-Path $Work 'pair')
        Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
    }
}

Describe 'The module in pwsh' {
    It 'exports exactly its four cmdlets' {
        (Get-Command -Module MinioRestore).Name | Sort-Object | Should -Be @('Merge-RestoreResult', 'Register-RestoreClients', 'Start-MinioRestore', 'Test-MinioRestore')
    }

    It 'has help with at least two examples for <_>' -ForEach @('Register-RestoreClients', 'Start-MinioRestore', 'Test-MinioRestore', 'Merge-RestoreResult') {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeLike "$_ *"
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        @($help.Examples.Example | Where-Object { $_.Code -notmatch [regex]::Escape($help.Name) }).Count | Should -Be 0
    }

    It 'has the about_MinioRestore topic with the troubleshooting guide by error ID' {
        $about = Get-Help about_MinioRestore | Out-String
        $about | Should -Match 'TROUBLESHOOTING'
        $about | Should -Match 'CredentialsRejected'
    }

    It 'shows the runbook''s help: Get-Help examples/Restore-Service.ps1' {
        $help = Get-Help (Join-Path $Root 'examples/Restore-Service.ps1') -Full
        $help.Synopsis | Should -Match 'Restores every bucket'
        $help.parameters.parameter.name | Should -Contain 'ServiceName'
    }
}

Describe 'Refusals a runbook catches by error ID' {
    It 'asks for Register-RestoreClients when no clients are registered (a new session)' {
        $run = Invoke-Pwsh -Arguments '-Command', "Import-Module '$Manifest'; try { Start-MinioRestore -Bucket reports -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }"
        $run.Output | Should -BeLike 'MissingCredentials,*'
    }

    It 'refuses an endpoint with <Case> with InvalidEndpoint' -ForEach @(
        @{ Case = 'no scheme'; Endpoint = 'minio.example:9000' }
        @{ Case = 'a path'; Endpoint = 'https://minio.example:9000/bucket' }
    ) {
        { Register-RestoreClients -S3Credential $S3Cred -MinioEndpoint $Endpoint -MinioCredential $MinioCred } |
            Should -Throw -ErrorId 'InvalidEndpoint,MinioRestore.PowerShell.Cmdlets.RegisterRestoreClientsCommand'
    }

    It 'refuses an unreadable CA bundle with InvalidCaBundle' {
        { Register-RestoreClients @Register -MinioCaBundle '/nonexistent/ca.pem' } |
            Should -Throw -ErrorId 'InvalidCaBundle,MinioRestore.PowerShell.Cmdlets.RegisterRestoreClientsCommand'
    }

    It 'names a refused port EndpointUnreachable (ConnectionError) without printing a secret' {
        $err = $null
        try { Register-RestoreClients -S3Endpoint 'http://127.0.0.1:9' -S3Credential $S3Cred -MinioEndpoint $Target -MinioCredential $MinioCred -ErrorAction Stop }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'EndpointUnreachable,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        Assert-NoSecret ($err | Out-String) | Out-Null
    }

    It 'names a wrong secret CredentialsRejected and keeps the clients registered before' {
        $wrong = New-TestCredential $MinioKey 'not-the-minio-secret-000000000000000000001'
        $err = $null
        try { Register-RestoreClients -S3Endpoint $Source -S3Credential $S3Cred -MinioEndpoint $Target -MinioCredential $wrong -ErrorAction Stop }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'CredentialsRejected,*'
        ($err | Out-String) | Should -Not -Match 'not-the-minio-secret'
        (Start-MinioRestore -Bucket jobs -TargetBucket after-rejected -ErrorAction Stop).Status | Should -Be 'Succeeded'
    }

    It 'stops on a missing backup bucket with SourceBucketNotFound, catchable with -ErrorAction Stop' {
        $caught = try { Start-MinioRestore -Bucket no-such-backup -ErrorAction Stop; 'not stopped' } catch { $_.FullyQualifiedErrorId }
        $caught | Should -Be 'SourceBucketNotFound,MinioRestore.PowerShell.Cmdlets.StartMinioRestoreCommand'
        Get-TargetBucket 'no-such' | Should -BeNullOrEmpty
    }

    It 'refuses an invalid bucket name with InvalidBucketName before anything is written' {
        { Start-MinioRestore -Bucket 'Not_A_Bucket' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidBucketName,MinioRestore.PowerShell.Cmdlets.StartMinioRestoreCommand'
    }
}

Describe 'Restoring as a runbook does' {
    It 'restores Register-RestoreClients | Start-MinioRestore with typed results, and a rerun copies nothing' {
        $r = Register-RestoreClients @Register | Start-MinioRestore -Bucket reports -TargetBucket reports-restored -ErrorAction Stop
        $r.Status -eq 'Succeeded' | Should -BeTrue
        $r.Status | Should -BeOfType [enum]
        $r.Copied | Should -Be 41
        $r.Bytes | Should -Be (40 * 4096 + 6MB)
        $r.Duration | Should -BeOfType [timespan]
        $r.Duration.TotalSeconds | Should -BeGreaterThan 0
        $r.BucketCreated | Should -BeTrue

        $again = Start-MinioRestore -Bucket reports -TargetBucket reports-restored -ErrorAction Stop
        $again.Copied | Should -Be 0
        $again.Skipped | Should -Be 41
        Test-MinioRestore -Bucket reports -TargetBucket reports-restored -Content -Quiet | Should -BeTrue
    }

    It 'restores every backup bucket of a service with -ServiceName, one result per bucket' {
        $results = Start-MinioRestore -ServiceName accsvc -ErrorAction Stop
        $results.TargetBucket | Sort-Object | Should -Be @('alpha', 'beta')
        $results.SourceBucket | Sort-Object | Should -Be @('accsvc-alpha', 'accsvc-beta')
        $results | ForEach-Object { $_.Status | Should -Be 'Succeeded'; $_.Copied | Should -Be 5 }
        Test-MinioRestore -ServiceName accsvc -Quiet | Should -BeTrue
    }

    It 'binds bucket names from the pipeline, as strings and as objects with a BucketName' {
        $results = 'accsvc-alpha', [pscustomobject]@{ BucketName = 'accsvc-beta' } | Start-MinioRestore -ErrorAction Stop
        $results.SourceBucket | Should -Be @('accsvc-alpha', 'accsvc-beta')
        $results.TargetBucket | Should -Be @('accsvc-alpha', 'accsvc-beta')
        $results.Copied | Should -Be @(5, 5)
    }

    It '-WhatIf says what it would do and writes nothing' {
        $run = Invoke-Pwsh -Arguments '-Command', @"
Import-Module '$Manifest'
`$c = [pscredential]::new('$MinioKey', (ConvertTo-SecureString `$env:TEST_MINIO_SECRET -AsPlainText -Force))
Register-RestoreClients -S3Endpoint $Source -MinioEndpoint $Target -MinioCredential `$c | Out-Null
`$results = @(Start-MinioRestore -Bucket whatif -TargetBucket whatif-target -WhatIf)
"results: `$(`$results.Count)"
"@ -Environment @{ AWS_ACCESS_KEY_ID = $S3Key; AWS_SECRET_ACCESS_KEY = $S3Secret; TEST_MINIO_SECRET = $MinioSecret }
        $run.ExitCode | Should -Be 0
        $run.Output | Should -Match 'What if: Performing the operation "Create bucket" on target "MinIO bucket ''whatif-target''"'
        ([regex]::Matches($run.Output, 'What if: Performing the operation "Copy object" on target "minio/whatif-target/obj/')).Count | Should -Be 5
        $run.Output | Should -Match 'results: 0'
        Assert-NoSecret $run.Output | Out-Null
        Get-TargetBucket 'whatif' | Should -BeNullOrEmpty
    }

    It '-Remove deletes the target-only objects with -Confirm:$false, and without it in a non-interactive pwsh deletes nothing' {
        $run = Invoke-Pwsh -Arguments '-Command', @"
Import-Module '$Manifest'
`$c = [pscredential]::new('$MinioKey', (ConvertTo-SecureString `$env:TEST_MINIO_SECRET -AsPlainText -Force))
Register-RestoreClients -S3Endpoint $Source -MinioEndpoint $Target -MinioCredential `$c | Out-Null
(Start-MinioRestore -Bucket mirror -Remove 3>&1 | Out-String -Width 300).Trim()
"@ -Environment @{ AWS_ACCESS_KEY_ID = $S3Key; AWS_SECRET_ACCESS_KEY = $S3Secret; TEST_MINIO_SECRET = $MinioSecret }
        $run.Output | Should -Match 'Nothing was removed from ''mirror'': .*not confirmed\. Run again with -Force'
        (Test-MinioRestore -Bucket mirror | Where-Object Difference -eq 'Extra').Count | Should -Be 2

        $r = Start-MinioRestore -Bucket mirror -Remove -Confirm:$false -ErrorAction Stop
        $r.Removed | Should -Be 2
        Test-MinioRestore -Bucket mirror | Should -BeNullOrEmpty
    }

    It '-Remove -Confirm asks, and removes only what the person said yes to' {
        $run = Invoke-Pwsh -Arguments '-Command', @"
Import-Module '$Manifest'
`$c = [pscredential]::new('$MinioKey', (ConvertTo-SecureString `$env:TEST_MINIO_SECRET -AsPlainText -Force))
Register-RestoreClients -S3Endpoint $Source -MinioEndpoint $Target -MinioCredential `$c | Out-Null
`$r = Start-MinioRestore -Bucket confirm -Remove -Confirm
"copied: `$(`$r.Copied) removed: `$(`$r.Removed)"
"@ -Environment @{ AWS_ACCESS_KEY_ID = $S3Key; AWS_SECRET_ACCESS_KEY = $S3Secret; TEST_MINIO_SECRET = $MinioSecret } -Answer 'Y', 'Y', 'N'
        $run.Output | Should -Match 'Are you sure you want to perform this action\?'
        $run.Output | Should -Match 'minio/confirm/extra/0000000'
        $run.Output | Should -Match 'copied: 5 removed: 1'
        Assert-NoSecret $run.Output | Out-Null
        @(Test-MinioRestore -Bucket confirm | Where-Object Difference -eq 'Extra').Key | Should -Be 'extra/0000001'
    }

    It 'exports results through Export-Csv (names, duration as text) and ConvertTo-Json -EnumsAsStrings, and keeps the typed values' {
        $r = Start-MinioRestore -Bucket reports -TargetBucket reports-restored -ErrorAction Stop
        $csv = Join-Path $Work 'restore.csv'
        $r | Export-Csv $csv
        $row = Import-Csv $csv
        $row.Status | Should -Be 'Succeeded'
        $row.Duration | Should -Match '^\d\d:\d\d:\d\d(\.\d+)?$'
        [timespan]$row.Duration | Should -BeOfType [timespan]
        $row.Copied | Should -Be '0'
        $row.Skipped | Should -Be '41'
        $row.SourceEndpoint | Should -Be $Source

        # ConvertTo-Json writes a .NET object's own properties (no types.ps1xml member changes them):
        # -EnumsAsStrings gives the status by name; the duration is an object with TotalSeconds.
        $json = $r | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json
        $json.Status | Should -Be 'Succeeded'
        $json.Duration.TotalSeconds | Should -BeGreaterThan 0
        $json.Skipped | Should -Be 41
        # The documented report shape (about_MinioRestore, OUTPUT): the duration as text.
        $report = $r | Select-Object -ExcludeProperty Duration -Property *, @{ n = 'Duration'; e = { "$($_.Duration)" } } |
            ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json
        $report.Status | Should -Be 'Succeeded'
        [timespan]$report.Duration | Should -Be $r.Duration

        # In the session the properties stay typed.
        $r.Status | Should -BeOfType [enum]
        $r.Duration | Should -BeOfType [timespan]
        Assert-NoSecret (Get-Content -Raw $csv) | Out-Null
        Assert-NoSecret ($r | ConvertTo-Json) | Out-Null
    }

    It 'exports Test-MinioRestore differences with the kind as a name' {
        $diff = @(Test-MinioRestore -Bucket runbad-one -TargetBucket one-of-runbad)
        $diff.Count | Should -Be 5
        $csv = Join-Path $Work 'differences.csv'
        $diff | Export-Csv $csv
        (Import-Csv $csv).Difference | Sort-Object -Unique | Should -Be @('Different', 'Missing')
        ($diff | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json).Difference | Sort-Object -Unique | Should -Be @('Different', 'Missing')
        $diff[0].Difference | Should -BeOfType [enum]
    }

    It 'writes no secret in any stream, with -Verbose and -Debug' {
        $all = & {
            Register-RestoreClients @Register -Verbose -Debug
            Start-MinioRestore -Bucket jobs -TargetBucket secrets-check -Verbose -Debug
            Test-MinioRestore -Bucket jobs -TargetBucket secrets-check -Content -Verbose -Debug
            Start-MinioRestore -Bucket no-such-backup -ErrorAction Continue
        } *>&1 | Out-String -Width 400
        $all | Should -Match 'secrets-check'
        Assert-NoSecret $all | Out-Null
        Assert-NoSecret ($Clients | Format-List * | Out-String) | Out-Null
    }
}

Describe 'Resume and shards' {
    It 'refuses -ShardIndex <Index> -ShardCount <Count> with InvalidShard before anything is written' -ForEach @(
        @{ Index = 2; Count = 2 }, @{ Index = -1; Count = 2 }, @{ Index = 0; Count = 0 }
    ) {
        $caught = try { Start-MinioRestore -Bucket ckpt -TargetBucket never-made -ShardIndex $Index -ShardCount $Count -ErrorAction Stop; 'not stopped' } catch { $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'InvalidShard,MinioRestore.PowerShell.Cmdlets.StartMinioRestoreCommand'
        $caught.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-TargetBucket 'never' | Should -BeNullOrEmpty
    }

    It 'keeps a checkpoint, says when it is finished, and refuses it for another bucket with CheckpointMismatch' {
        $file = Join-Path $Work 'ckpt.checkpoint.json'
        $r = Start-MinioRestore -Bucket ckpt -CheckpointPath $file -ErrorAction Stop
        $r.Copied | Should -Be 5
        $r.CheckpointFinished | Should -BeTrue
        $r.ResumedAfter | Should -BeNullOrEmpty
        (Get-Content -Raw $file | ConvertFrom-Json).finished | Should -BeTrue
        $before = Get-Content -Raw $file

        $caught = try { Start-MinioRestore -Bucket ckpt -TargetBucket ckpt-elsewhere -CheckpointPath $file -ErrorAction Stop; 'not stopped' } catch { $_ }
        $caught.FullyQualifiedErrorId | Should -Be 'CheckpointMismatch,MinioRestore.PowerShell.Cmdlets.StartMinioRestoreCommand'
        $caught.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $caught.ErrorDetails.Message | Should -Match "target bucket 'ckpt' \(this run: 'ckpt-elsewhere'\)"
        Get-TargetBucket 'ckpt-else' | Should -BeNullOrEmpty
        Get-Content -Raw $file | Should -Be $before

        # Finished: the next run is a full pass.
        $again = Start-MinioRestore -Bucket ckpt -CheckpointPath $file -ErrorAction Stop
        $again.Skipped | Should -Be 5
        $again.ResumedAfter | Should -BeNullOrEmpty
    }

    It 'refuses a checkpoint another run holds with CheckpointInUse (ResourceBusy) and writes nothing' {
        $file = Join-Path $Work 'busy.checkpoint.json'
        # Another run's hold on the checkpoint: an exclusive lock on its sidecar file.
        $held = [System.IO.File]::Open("$file.lock", 'OpenOrCreate', 'ReadWrite', 'None')
        try {
            $caught = try { Start-MinioRestore -Bucket ckpt -TargetBucket ckpt-busy -CheckpointPath $file -ErrorAction Stop; 'not stopped' } catch { $_ }
        }
        finally { $held.Dispose() }
        $caught.FullyQualifiedErrorId | Should -Be 'CheckpointInUse,MinioRestore.PowerShell.Cmdlets.StartMinioRestoreCommand'
        $caught.CategoryInfo.Category | Should -Be 'ResourceBusy'
        $caught.ErrorDetails.Message | Should -Match 'is in use by another restore running now'
        $caught.ErrorDetails.Message | Should -Not -Match '   at '
        Get-TargetBucket 'ckpt-busy' | Should -BeNullOrEmpty
        Test-Path $file | Should -BeFalse

        # Let go (as by the other run's end, or its kill): the same command runs.
        (Start-MinioRestore -Bucket ckpt -TargetBucket ckpt-busy -CheckpointPath $file -ErrorAction Stop).Copied | Should -Be 5
    }
}

Describe 'Background restores: -AsJob' {
    It 'restores in a job: Wait-Job, then Receive-Job returns the results' {
        $job = Start-MinioRestore -Bucket jobs, accsvc-beta -AsJob
        $job | Should -BeOfType [System.Management.Automation.Job]
        $job | Wait-Job -Timeout 120 | Out-Null
        $job.State | Should -Be 'Completed'
        $results = Receive-Job $job
        $results.SourceBucket | Should -Be @('jobs', 'accsvc-beta')
        $results.Status | Should -Be @('Succeeded', 'Succeeded')
        Assert-NoSecret ($job | Format-List * | Out-String) | Out-Null
        Remove-Job $job
    }

    It 'Stop-Job stops it and leaves no partial object; a rerun finishes it' {
        $job = Start-MinioRestore -Bucket stoppable -TargetBucket stoppable-target -Concurrency 1 -AsJob
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ($job.State -eq 'NotStarted' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Start-Sleep -Milliseconds 500
        Stop-Job $job
        $job.State | Should -Be 'Stopped'
        Remove-Job $job
        $left = @(Test-MinioRestore -Bucket stoppable -TargetBucket stoppable-target)
        @($left | Where-Object Difference -eq 'Different').Count | Should -Be 0
        @($left | Where-Object Difference -eq 'Missing').Count | Should -BeGreaterThan 0

        (Start-MinioRestore -Bucket stoppable -TargetBucket stoppable-target -ErrorAction Stop).Status | Should -Be 'Succeeded'
        Test-MinioRestore -Bucket stoppable -TargetBucket stoppable-target -Quiet | Should -BeTrue
    }
}

Describe 'Tab completion through TabExpansion2' {
    It 'completes -Bucket with the S3 buckets of the registered clients' {
        $line = 'Start-MinioRestore -Bucket accsvc-'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('accsvc-alpha', 'accsvc-beta')
    }

    It 'completes -TargetBucket with the MinIO buckets' {
        Get-TargetBucket 'reports-' | Should -Be @('reports-restored')
    }

    It 'completes -ServiceName with the service prefixes' {
        $line = 'Start-MinioRestore -ServiceName accs'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('accsvc')
    }
}

Describe 'Whole histories (-AllVersions) in pwsh' {
    BeforeAll {
        # 6 keys x 3 versions, every third key deleted afterwards: 18 versions and 2 delete markers.
        Invoke-WithEnvironment @{ AWS_ACCESS_KEY_ID = $S3Key; AWS_SECRET_ACCESS_KEY = $S3Secret } {
            $out = dotnet $Harness seed-versions $Source history 6 3 512 2>&1
            if ($LASTEXITCODE) { throw "seeding history failed: $out" }
        }
    }

    It '-AllVersions -WhatIf names enabling versioning and each version, and writes nothing' {
        $run = Invoke-Pwsh -Arguments '-Command', @"
Import-Module '$Manifest'
`$c = [pscredential]::new('$MinioKey', (ConvertTo-SecureString `$env:TEST_MINIO_SECRET -AsPlainText -Force))
Register-RestoreClients -S3Endpoint $Source -MinioEndpoint $Target -MinioCredential `$c | Out-Null
`$results = @(Start-MinioRestore -Bucket history -TargetBucket history-whatif -AllVersions -WhatIf)
"results: `$(`$results.Count)"
"@ -Environment @{ AWS_ACCESS_KEY_ID = $S3Key; AWS_SECRET_ACCESS_KEY = $S3Secret; TEST_MINIO_SECRET = $MinioSecret }
        $run.ExitCode | Should -Be 0
        $run.Output | Should -Match 'What if: Performing the operation "Enable versioning \(it can be suspended later, never turned off\)" on target "MinIO bucket ''history-whatif''"'
        ([regex]::Matches($run.Output, 'What if: Performing the operation "Copy version [^"]+" on target "minio/history-whatif/obj/')).Count | Should -Be 18
        ([regex]::Matches($run.Output, 'What if: Performing the operation "Write delete marker" on target "minio/history-whatif/obj/')).Count | Should -Be 2
        $run.Output | Should -Match 'results: 0'
        Get-TargetBucket 'history-whatif' | Should -BeNullOrEmpty
    }

    It 'restores the history: the result counts versions and delete markers, the map and the result export to JSON, and a rerun writes nothing' {
        $out = @(Start-MinioRestore -Bucket history -AllVersions -PassThru -ErrorAction Stop)
        $map = @($out | Where-Object Key)
        $r = $out | Where-Object SourceEndpoint   # the result (Status 'Succeeded' is 0: falsy)
        $r.AllVersions | Should -BeTrue
        $r.Versions | Should -Be 18
        $r.DeleteMarkers | Should -Be 2
        $r.Copied | Should -Be 6
        $map.Count | Should -Be 20
        ($r | Format-Table | Out-String) | Should -Match 'Versions\s+DeleteMarkers\s+Keys'

        $json = $r | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json
        $json.Status | Should -Be 'Succeeded'
        $json.Versions | Should -Be 18
        $json.DeleteMarkers | Should -Be 2
        $json.AllVersions | Should -BeTrue
        $mapJson = @($map | ConvertTo-Json | ConvertFrom-Json)
        $mapJson.Count | Should -Be 20
        @($mapJson | Where-Object IsDeleteMarker).Count | Should -Be 2
        $mapJson | ForEach-Object { $_.TargetVersionId | Should -Not -BeNullOrEmpty; $_.TargetVersionId | Should -Not -Be $_.SourceVersionId }
        Assert-NoSecret ($out | ConvertTo-Json) | Out-Null

        $r | Test-MinioRestore -Content -Quiet | Should -BeTrue
        $again = Start-MinioRestore -Bucket history -AllVersions -ErrorAction Stop
        $again.Versions + $again.DeleteMarkers | Should -Be 0
        $again.Skipped | Should -Be 6
    }

    It '-AllVersions -Remove is refused with InvalidParameterCombination before anything is done' {
        { Start-MinioRestore -Bucket history -TargetBucket history-refused -AllVersions -Remove -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidParameterCombination*'
        Get-TargetBucket 'history-refused' | Should -BeNullOrEmpty
    }
}

Describe 'The runbook examples/Restore-Service.ps1 in pwsh' {
    BeforeAll {
        $Runbook = Join-Path $Root 'examples/Restore-Service.ps1'
        # As a Job runs it: S3 keys in AWS_*, MinIO as an mc alias in MC_HOST_minio, the module on PSModulePath.
        $RunbookEnvironment = @{
            AWS_ACCESS_KEY_ID = $S3Key; AWS_SECRET_ACCESS_KEY = $S3Secret; S3_ENDPOINT = $Source
            MC_HOST_minio = $Target -replace '^http://', "http://${MinioKey}:${MinioSecret}@"
            PSModulePath = (Join-Path $Root 'out') + [IO.Path]::PathSeparator + $env:PSModulePath
        }
        function Invoke-Runbook([string] $Service, [string] $Reports, [string[]] $More = @()) {
            Invoke-Pwsh -Arguments (@('-File', $Runbook, '-ServiceName', $Service, '-OutputDirectory', $Reports) + $More) -Environment $RunbookEnvironment
        }
    }

    It 'restores and verifies a whole service, writes JSON and CSV reports and exits 0' {
        $reports = Join-Path $Work 'reports-ok'
        $run = Invoke-Runbook runbook $reports '-Verify'
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match "2 bucket\(s\) of service 'runbook': 0 failed, 0 did not verify, 0 error\(s\)"
        Assert-NoSecret $run.Output | Out-Null

        $json = Get-ChildItem $reports -Filter 'restore-runbook-*.json'
        $csv = Get-ChildItem $reports -Filter 'restore-runbook-*.csv'
        @($json).Count | Should -Be 1
        @($csv).Count | Should -Be 1
        $report = Get-Content -Raw $json.FullName | ConvertFrom-Json
        $report.TargetBucket | Sort-Object | Should -Be @('one', 'two')
        $report.Status | Should -Be @('Succeeded', 'Succeeded')
        $report.Verified | Should -Be @($true, $true)
        $report.Service | Should -Be @('runbook', 'runbook')
        $report[0].Duration | Should -Match '^\d\d:\d\d:\d\d'
        (Import-Csv $csv.FullName).Status | Should -Be @('Succeeded', 'Succeeded')
        foreach ($file in $json, $csv) { Assert-NoSecret (Get-Content -Raw $file.FullName) | Out-Null }
    }

    It 'exits 1 when a bucket does not verify (a conflict left alone), with the reports written' {
        # The service "runbad" restores runbad-one into MinIO bucket "one", which the run above filled with
        # the same objects; obj/0000 is replaced there with other content first: a conflict, left alone.
        Add-TestObjects $Target one 1 77 'obj/' $MinioKey $MinioSecret
        $reports = Join-Path $Work 'reports-conflict'
        $run = Invoke-Runbook runbad $reports '-Verify'
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $report = Get-Content -Raw (Get-ChildItem $reports -Filter '*.json').FullName | ConvertFrom-Json
        $report.Conflicts | Should -Be 1
        $report.Verified | Should -Be $false
    }

    It 'exits 2 when the service has no backup bucket, naming ServiceBucketsNotFound' {
        $run = Invoke-Runbook no-such-service (Join-Path $Work 'reports-none')
        $run.ExitCode | Should -Be 2
        $run.Output | Should -Match 'ServiceBucketsNotFound|no S3 bucket'
    }

    It 'runs the runbook as two shards whose JSON reports Merge-RestoreResult puts together, one result per bucket' {
        $reports = Join-Path $Work 'reports-shards'
        $checkpoints = Join-Path $Work 'checkpoints-shards'
        foreach ($index in 0, 1) {
            $shardEnvironment = $RunbookEnvironment + @{ JOB_COMPLETION_INDEX = "$index"; SHARD_COUNT = '2'; RESTORE_CHECKPOINT_PATH = $checkpoints }
            $run = Invoke-Pwsh -Arguments @('-File', $Runbook, '-ServiceName', 'shardsvc', '-OutputDirectory', $reports) -Environment $shardEnvironment
            $run.ExitCode | Should -Be 0 -Because $run.Output
        }
        $files = Get-ChildItem $reports -Filter 'restore-shardsvc-shard-*-of-2-*.json'
        @($files).Count | Should -Be 2
        (Get-ChildItem $checkpoints -Filter '*.shard-*-of-2.checkpoint.json').Count | Should -Be 4   # 2 buckets x 2 shards

        $merged = Merge-RestoreResult -Path (Join-Path $reports 'restore-shardsvc-shard-*.json') -ErrorAction Stop
        $merged.TargetBucket | Sort-Object | Should -Be @('delta', 'gamma')
        foreach ($bucket in $merged) {
            $bucket.Status | Should -Be 'Succeeded'
            $bucket.Shards | Should -Be 2
            $bucket.ShardCount | Should -Be 2
            $bucket.Copied | Should -Be 5
            $bucket.MissingShards | Should -BeNullOrEmpty
        }
        Test-MinioRestore -ServiceName shardsvc -Content -Quiet | Should -BeTrue

        # One shard's report alone: the other is named missing, and the bucket is not Succeeded.
        $half = Merge-RestoreResult -Path $files[0].FullName -ErrorVariable mergeErrors -ErrorAction SilentlyContinue
        $half | ForEach-Object { $_.Status | Should -Be 'Failed'; $_.MissingShards.Count | Should -Be 1 }
        @($mergeErrors).Count | Should -Be 2
        $mergeErrors[0].FullyQualifiedErrorId | Should -BeLike 'ShardResultsMissing,*'
    }

    It 'exits 2 when MinIO refuses the credentials' {
        $environment = $RunbookEnvironment.Clone()
        $environment.MC_HOST_minio = $Target -replace '^http://', "http://${MinioKey}:wrong-secret-0000000000000000000000000001@"
        $run = Invoke-WithEnvironment $environment { & $Pwsh -NoProfile -NonInteractive -File $Runbook -ServiceName runbook -OutputDirectory (Join-Path $Work 'reports-rejected') 2>&1 | Out-String; $LASTEXITCODE }
        $run[-1] | Should -Be 2
        $run[0] | Should -Match 'CredentialsRejected|rejected'
        $run[0] | Should -Not -Match 'wrong-secret'
    }
}

Describe 'Installed from a local repository' {
    BeforeAll {
        # build.ps1's Package task, in a new pwsh, as a user runs it: out/packages/MinioRestore.<version>.nupkg.
        $package = Invoke-Pwsh -Arguments '-File', (Join-Path $Root 'build.ps1'), '-Task', 'Package'
        $package.ExitCode | Should -Be 0 -Because $package.Output
        $Packages = Join-Path $Root 'out/packages'
        $Version = (Import-PowerShellDataFile $Manifest).ModuleVersion
        $Restore = @"
`$c = [pscredential]::new('$MinioKey', (ConvertTo-SecureString `$env:TEST_MINIO_SECRET -AsPlainText -Force))
`$r = Register-RestoreClients -S3Endpoint $Source -MinioEndpoint $Target -MinioCredential `$c | Start-MinioRestore -Bucket pkg -TargetBucket `$env:TEST_TARGET -ErrorAction Stop
"module: `$((Get-Module MinioRestore).ModuleBase)"
"restore: `$(`$r.Status) `$(`$r.Copied)"
"@
        $Keys = @{ AWS_ACCESS_KEY_ID = $S3Key; AWS_SECRET_ACCESS_KEY = $S3Secret; TEST_MINIO_SECRET = $MinioSecret }
    }

    It 'build.ps1 -Task Package made the package and proved it installs' {
        $package.Output | Should -Match 'installs with PSResourceGet'
        Join-Path $Root 'PSResourceGet' | Should -Not -Exist
        Join-Path $Packages "MinioRestore.$Version.nupkg" | Should -Exist
    }

    It 'Install-PSResource installs it; Import-Module MinioRestore by name restores' {
        $homeDirectory = Join-Path $Work 'home-psresource'
        $run = Invoke-Pwsh -Arguments '-Command', @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name Local -Uri '$Packages' -Trusted
Install-PSResource MinioRestore -Repository Local -Version $Version -Scope CurrentUser
Import-Module MinioRestore
$Restore
"@ -Environment ((Get-IsolatedHome $homeDirectory) + $Keys + @{ TEST_TARGET = 'pkg-psresource' })
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match ([regex]::Escape("module: $homeDirectory"))
        $run.Output | Should -Match 'restore: Succeeded 5'
        Assert-NoSecret $run.Output | Out-Null
    }

    It 'Install-Module (PowerShellGet) installs it; Import-Module MinioRestore by name restores' {
        $homeDirectory = Join-Path $Work 'home-powershellget'
        $run = Invoke-Pwsh -Arguments '-Command', @"
`$ErrorActionPreference = 'Stop'
Register-PSRepository -Name Local -SourceLocation '$Packages' -InstallationPolicy Trusted
Install-Module MinioRestore -Repository Local -RequiredVersion $Version -Scope CurrentUser
Import-Module MinioRestore
$Restore
"@ -Environment ((Get-IsolatedHome $homeDirectory) + $Keys + @{ TEST_TARGET = 'pkg-powershellget' })
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match ([regex]::Escape("module: $homeDirectory"))
        $run.Output | Should -Match 'restore: Succeeded 5'
        Assert-NoSecret $run.Output | Out-Null
    }
}
