using MinioRestore.Engine.Listing;
using MinioRestore.Engine.Restoring;

namespace MinioRestore.PowerShell.Cmdlets;

/// <summary>
/// Where -CheckpointPath puts each bucket's checkpoint: the file itself when the command restores
/// one bucket named by -Bucket (or S3_BUCKET); a folder with one file per bucket (and shard) when
/// it restores a service (-ServiceName) or several -Bucket names, or when the path is a folder
/// already (or ends with a separator; give such a path for bucket names piped in, or each
/// bucket after the first is refused as another run's). The folder is created when first needed, never by -WhatIf.
/// </summary>
internal sealed record CheckpointPlace(string Path, bool IsFolder)
{
    /// <summary>The bucket's checkpoint file, e.g. &lt;folder&gt;/minio-prod-photos--photos.shard-2-of-4.checkpoint.json.</summary>
    public string For(BucketPair pair, Shard? shard, bool whatIf)
    {
        if (!IsFolder) return Path;
        if (!whatIf) Directory.CreateDirectory(Path);
        return System.IO.Path.Combine(Path, FileName(pair, shard));
    }

    public static string FileName(BucketPair pair, Shard? shard) =>
        $"{pair.Source}--{pair.Target}{(shard is { Count: > 1 } s ? $".shard-{s.Index}-of-{s.Count}" : "")}.checkpoint.json";
}
