@{
    RootModule           = 'MinioRestore.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '2f908064-8e86-4251-ba97-a23c4cc5a913'
    Author               = 'MinioRestore contributors'
    CompanyName          = 'MinioRestore'
    Copyright            = '(c) MinioRestore contributors. Apache-2.0.'
    Description          = 'Restores MinIO buckets from an S3 backup (Amazon S3 or any S3-compatible store): the DC/OS MinIO restore plan as two cmdlets, Register-RestoreClients and Start-MinioRestore. Streams, verifies every object end to end, never deletes.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('MinioRestore.format.ps1xml')
    CmdletsToExport      = @('Register-RestoreClients', 'Start-MinioRestore', 'Test-MinioRestore')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('MinIO', 'S3', 'Restore', 'Backup', 'Mirror', 'DCOS', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/minio-restore/MinioRestore'
            LicenseUri   = 'https://github.com/minio-restore/MinioRestore/blob/main/LICENSE'
            ReleaseNotes = 'First release: Register-RestoreClients and Start-MinioRestore.'
        }
    }
}
