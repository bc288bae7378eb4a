using MinioRestore.Engine.Copying;
using Xunit.Abstractions;

namespace MinioRestore.Tests.Unit.Copying;

/// <summary>The candidate layouts tried where the server does not tell a multipart object's layout.</summary>
public sealed class PartLayoutCandidatesTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    /// <summary>Each client rule, as its source computes the part size from the object's size (see PartLayoutCandidates).</summary>
    public static readonly (string Client, Func<long, long> PartSize)[] ClientRules =
    [
        ("awscli/boto3 default 8 MiB", size => S3TransferRule(size, 8 * MiB)),
        ("awscli/boto3 multipart_chunksize 16 MiB", size => S3TransferRule(size, 16 * MiB)),
        ("awscli/boto3 multipart_chunksize 32 MiB", size => S3TransferRule(size, 32 * MiB)),
        ("awscli/boto3 multipart_chunksize 64 MiB", size => S3TransferRule(size, 64 * MiB)),
        ("awscli/boto3 multipart_chunksize 100 MiB", size => S3TransferRule(size, 100 * MiB)),
        ("s3cmd default 15 MiB", _ => 15 * MiB),
        ("s3cmd multipart_chunk_size_mb 5", _ => 5 * MiB),
        ("s3cmd multipart_chunk_size_mb 64", _ => 64 * MiB),
        ("rclone default 5 MiB", size => RcloneRule(size, 5 * MiB)),
        ("rclone --s3-chunk-size 16M", size => RcloneRule(size, 16 * MiB)),
        ("rclone --s3-chunk-size 64M", size => RcloneRule(size, 64 * MiB)),
        ("minio-go/mc default", MinioGoRule),
        ("minio-go PartSize 64 MiB", _ => 64 * MiB),
        ("Minio .NET 7.0.0", MinioDotnetRule),
        ("TransferUtility v4 default", size => Math.Max(8 * MiB, (long)Math.Ceiling((double)size / 10_000))),
        ("TransferUtility v4 PartSize 16 MiB", size => Math.Max(16 * MiB, (long)Math.Ceiling((double)size / 10_000))),
        ("TransferUtility v4 PartSize 64 MiB", size => Math.Max(64 * MiB, (long)Math.Ceiling((double)size / 10_000))),
        ("TransferUtility v3 default", size => Math.Max(5 * MiB, (long)Math.Ceiling((double)size / 10_000))),
    ];

    // The rules written again here, independently of the engine's code, from the clients' sources.
    private static long S3TransferRule(long size, long chunk)
    {
        while (Math.Ceiling(size / (double)chunk) > 10_000) chunk *= 2;
        return Math.Clamp(chunk, 5 * MiB, 5 * GiB);
    }

    private static long RcloneRule(long size, long chunk)
    {
        if (size / chunk < 10_000 || (size / chunk == 10_000 && size % chunk == 0)) return chunk;
        long min = size / 10_000;
        if (min % MiB != 0) min += MiB - min % MiB;
        if (size / min == 10_000 && size % 10_000 != 0) min += MiB;
        return min;
    }

    private static long MinioGoRule(long size) => (long)(Math.Ceiling((double)(size / 10_000) / (16 * MiB)) * (16 * MiB));

    private static long MinioDotnetRule(long size) => (long)(Math.Ceiling(Math.Ceiling((decimal)size / 10_000) / (16 * MiB)) * (16 * MiB));

    /// <summary>From small multipart objects to 5 TiB, including sizes that need more than 10,000 parts at every default.</summary>
    public static readonly long[] Sizes =
    [
        20 * MiB + 123, 40 * MiB, 100 * MiB, 110 * MiB - 1, 1 * GiB + 1, 10 * GiB, 39 * GiB + 12345, 50 * GiB, 100 * GiB + 7,
        160 * GiB, 500 * GiB + 3, 1024 * GiB + 12345, 5 * 1024 * GiB,
    ];

    private static int CountFor(long size, long partSize) => (int)((size + partSize - 1) / partSize);

    [Fact]
    public void Every_client_rule_is_among_the_candidates_and_within_the_tries()
    {
        int cases = 0, first = 0, second = 0, third = 0;
        var misses = new List<string>();
        foreach (var (client, rule) in ClientRules)
            foreach (long size in Sizes)
            {
                long partSize = rule(size);
                int parts = CountFor(size, partSize);
                if (parts < 2 || parts > 10_000) continue; // one PUT, or the client refuses the file
                cases++;
                var candidates = PartLayoutCandidates.For(size, parts);
                Assert.All(candidates, c => Assert.Equal(parts, c.Count));
                int rank = candidates.ToList().FindIndex(c => c.PartSize == partSize) + 1;
                if (rank == 0 || rank > ObjectCopier.MaxCandidateTries) misses.Add($"{client}, {size} bytes: rank {rank}");
                if (rank == 1) first++;
                else if (rank == 2) second++;
                else if (rank == 3) third++;
            }
        output.WriteLine($"{cases} cases: candidate #1 {first}, #2 {second}, #3 {third}, later or missing {misses.Count}");
        Assert.True(misses.Count == 0, string.Join("\n", misses));
        Assert.True(first * 10 >= cases * 7, $"the first candidate should be right for most cases, was for {first} of {cases}");
    }

    [Theory]
    [InlineData(100 * MiB, 64 * MiB)]  // boto3 TransferConfig(multipart_chunksize=64 MiB): 2 parts
    [InlineData(40 * MiB, 15 * MiB)]   // s3cmd: 3 parts, where minio-go's 16 MiB gives 3 parts too
    [InlineData(20 * MiB + 123, 8 * MiB)]
    public void Layouts_the_old_guess_missed_are_candidates(long size, long partSize)
    {
        var candidates = PartLayoutCandidates.For(size, CountFor(size, partSize));
        int rank = candidates.ToList().FindIndex(c => c.PartSize == partSize) + 1;
        Assert.InRange(rank, 1, ObjectCopier.MaxCandidateTries);
    }

    [Fact]
    public void Candidates_are_distinct_and_one_part_has_one_layout()
    {
        var candidates = PartLayoutCandidates.For(64 * MiB, 4);
        Assert.Equal(candidates.Count, candidates.Select(c => c.PartSize).Distinct().Count());
        Assert.Equal(16 * MiB, candidates[0].PartSize);
        var single = Assert.Single(PartLayoutCandidates.For(7 * MiB, 1));
        Assert.Equal(7 * MiB, single.Part(0).Length);
    }

    [Theory]
    [InlineData(100 * MiB, 7)]   // own 16 MiB parts would give 7: another count
    [InlineData(64 * MiB, 4)]
    [InlineData(30 * MiB, 3)]
    public void The_unverified_layout_never_has_the_backups_part_count(long size, int sourceParts)
    {
        var layout = PartLayout.ForUnverifiedCopy(size, sourceParts);
        Assert.NotEqual(sourceParts, layout.Count);
        Assert.Equal(size, Enumerable.Range(0, layout.Count).Sum(i => layout.Part(i).Length));
    }

    [Fact]
    public void Exact_layouts_keep_unequal_parts()
    {
        var layout = PartLayout.Exact([5 * MiB, 7 * MiB, 6 * MiB + 1]);
        Assert.Equal(3, layout.Count);
        Assert.Equal(18 * MiB + 1, layout.Size);
        Assert.Equal((5 * MiB, 7 * MiB), layout.Part(1));
        Assert.Equal((12 * MiB, 6 * MiB + 1), layout.Part(2));
        Assert.False(layout.IsUniform);
    }

    [Theory]
    [InlineData("bytes 0-8388607/20971643", 20971643L)]
    [InlineData(null, null)]
    [InlineData("", null)]
    public void The_object_size_comes_from_content_range(string? contentRange, long? total) =>
        Assert.Equal(total, ServerPartLayout.TotalFromContentRange(contentRange));

    [Fact]
    public void A_server_answer_tells_the_layout_only_with_the_same_part_count()
    {
        Assert.True(ServerPartLayout.TellsParts(3, 3));
        Assert.False(ServerPartLayout.TellsParts(null, 3)); // RGW: ignores partNumber
        Assert.False(ServerPartLayout.TellsParts(2, 3));    // not the parts the listing's ETag counts
        Assert.Equal(new PartLayout(20 * MiB + 123, 8 * MiB, 3), ServerPartLayout.UniformFromFirstPart(20 * MiB + 123, 3, 8 * MiB));
        Assert.Null(ServerPartLayout.UniformFromFirstPart(20 * MiB, 3, 5 * MiB)); // 5 MiB parts would be 4: unequal
    }
}
