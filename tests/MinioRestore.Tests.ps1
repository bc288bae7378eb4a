# Pester 5 tests for pwsh users: they import the built module and check what needs no server.
# Restores against real S3 servers are proven by the xunit suite (tests/MinioRestore.Tests),
# which hosts the same PowerShell engine; run it with tools/test.sh.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../out/MinioRestore/MinioRestore.psd1') -Force
    $cred = [pscredential]::new('AKIDEXAMPLE', (ConvertTo-SecureString 'not-a-real-secret' -AsPlainText -Force))
}

Describe 'MinioRestore module' {
    It 'exports exactly its three cmdlets' {
        (Get-Command -Module MinioRestore).Name | Sort-Object | Should -Be @('Register-RestoreClients', 'Start-MinioRestore', 'Test-MinioRestore')
    }

    It 'has a valid manifest' {
        Test-ModuleManifest (Join-Path $PSScriptRoot '../out/MinioRestore/MinioRestore.psd1') | Should -Not -BeNullOrEmpty
    }

    It 'has help with at least two examples for <_>' -ForEach @('Register-RestoreClients', 'Start-MinioRestore', 'Test-MinioRestore') {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeLike "$_ *"
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }

    It 'has the about_MinioRestore topic' {
        Get-Help about_MinioRestore | Out-String | Should -Match 'TROUBLESHOOTING'
    }

    It 'Start-MinioRestore supports -WhatIf and -Confirm' {
        (Get-Command Start-MinioRestore).Parameters.Keys | Should -Contain 'WhatIf'
        (Get-Command Start-MinioRestore).Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'Start-MinioRestore and Test-MinioRestore input checks' {
    It 'asks for Register-RestoreClients when no clients are registered' {
        $fresh = [powershell]::Create()
        $fresh.AddScript("Import-Module '$PSScriptRoot/../out/MinioRestore/MinioRestore.psd1'; Start-MinioRestore -Bucket reports").Invoke() | Out-Null
        $fresh.Streams.Error[0].FullyQualifiedErrorId | Should -BeLike 'MissingCredentials,*'
        $fresh.Dispose()
    }
}

Describe 'Register-RestoreClients input checks' {
    It 'refuses an endpoint without a scheme with InvalidEndpoint' {
        { Register-RestoreClients -MinioEndpoint 'minio.example:9000' -MinioCredential $cred -S3Credential $cred } |
            Should -Throw -ErrorId 'InvalidEndpoint,MinioRestore.PowerShell.Cmdlets.RegisterRestoreClientsCommand'
    }

    It 'refuses an endpoint with a path with InvalidEndpoint' {
        { Register-RestoreClients -MinioEndpoint 'https://minio.example:9000/bucket' -MinioCredential $cred -S3Credential $cred } |
            Should -Throw -ErrorId 'InvalidEndpoint,MinioRestore.PowerShell.Cmdlets.RegisterRestoreClientsCommand'
    }

    It 'refuses an unreadable CA bundle with InvalidCaBundle' {
        { Register-RestoreClients -MinioEndpoint 'https://minio.example:9000' -MinioCredential $cred -S3Credential $cred -MinioCaBundle '/nonexistent/ca.pem' } |
            Should -Throw -ErrorId 'InvalidCaBundle,MinioRestore.PowerShell.Cmdlets.RegisterRestoreClientsCommand'
    }

    It 'reports a refused port as EndpointUnreachable without printing the secret' {
        $err = $null
        try { Register-RestoreClients -S3Endpoint 'http://127.0.0.1:9' -S3Credential $cred -MinioEndpoint 'http://127.0.0.1:9' -MinioCredential $cred }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'EndpointUnreachable,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        ($err | Out-String) | Should -Not -Match 'not-a-real-secret'
    }
}
