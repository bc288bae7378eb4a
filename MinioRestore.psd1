@{
    RootModule           = 'MinioRestore.dll'
    # Keep equal to <Version> in Directory.Build.props (the assembly's version); a test checks it.
    ModuleVersion        = '0.1.0'
    GUID                 = '2f908064-8e86-4251-ba97-a23c4cc5a913'
    Author               = 'MinioRestore contributors'
    CompanyName          = 'MinioRestore'
    Copyright            = '(c) MinioRestore contributors. Licensed under the Apache License, Version 2.0.'
    Description          = 'Restores MinIO buckets from an S3 backup (Amazon S3 or any S3-compatible store): the DC/OS MinIO restore plan as cmdlets. Register-RestoreClients checks both endpoints and credentials, Start-MinioRestore streams every missing object and verifies it end to end (a rerun copies only the rest), Test-MinioRestore verifies any restore. Nothing is overwritten unless asked (-Overwrite), nothing deleted unless asked (-Remove, confirmed, within -MaxDelete). Its AWS SDK loads in its own context, so it works beside AWS.Tools.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('MinioRestore.format.ps1xml')
    # Exactly the [Cmdlet] classes of MinioRestore.dll (a test checks it); nothing else is exported.
    CmdletsToExport      = @('Register-RestoreClients', 'Start-MinioRestore', 'Test-MinioRestore', 'Merge-RestoreResult')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    # No HelpInfoURI: help ships inside the module (en-US/); there is no updatable-help server for Update-Help.
    PrivateData          = @{
        PSData = @{
            Tags                     = @('MinIO', 'S3', 'Restore', 'Backup', 'Mirror', 'DCOS', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri               = 'https://github.com/minio-restore/MinioRestore'
            LicenseUri               = 'https://github.com/minio-restore/MinioRestore/blob/main/LICENSE'
            RequireLicenseAcceptance = $false
            ReleaseNotes             = @'
0.1.0 - first release.
- Register-RestoreClients: the S3 store and the MinIO server, both checked before anything is written; credentials from parameters (SecretManagement secrets too), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS profiles (-ProfileName) or an mc alias (-MinioAlias: MC_HOST_<alias> or mc's config.json); private CAs (-S3CaBundle, -MinioCaBundle).
- Start-MinioRestore: copies what MinIO lacks, streamed and verified end to end (Content-MD5, part-by-part for multipart objects), metadata kept, no partial objects; conflicts reported and left alone unless -Overwrite; -WhatIf; resumable. A whole DC/OS service at once (-ServiceName: svc-<b> -> <b>); -Prefix, -Include/-Exclude, -NewerThan/-OlderThan; mirror deletions only with -Remove (confirmed, never after an error, at most -MaxDelete); -AsJob.
- Test-MinioRestore: compares backup and target by listing or by content (-Content), for a bucket or a whole service, with the same filters.
- Get-Help for every cmdlet and about_MinioRestore; tab completion of bucket and service names.
- The AWS SDK loads in the module's own AssemblyLoadContext: works in sessions that loaded AWS.Tools.
'@
        }
    }
}
