using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Xml.Linq;
using Xunit.Abstractions;
using MinioRestore.Engine.Mirror;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Module;

/// <summary>
/// What the cmdlets write, checked against what they declare ([OutputType]) and against the
/// format file: every type written is declared, every declared type is real, every module type
/// has a view, and the views show the values a tired operator needs without cutting them.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class FormatViewTests(RgwPair rgw, ITestOutputHelper output) : IDisposable
{
    private readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    private const string Register = RgwPair.RegisterScript;

    private static readonly string FormatFile = Path.Combine(Path.GetDirectoryName(Repo.ModuleManifest)!, "MinioRestore.format.ps1xml");

    /// <summary>Type name -> the kinds of view (TableControl, ListControl, ...) the format file has for it.</summary>
    private static Dictionary<string, List<string>> Views() =>
        XDocument.Load(FormatFile).Descendants("View")
            .SelectMany(v => v.Element("ViewSelectedBy")!.Elements("TypeName").Select(t => (Type: t.Value.Trim(), Kind: v.Elements().Single(e => e.Name.LocalName.EndsWith("Control")).Name.LocalName)))
            .GroupBy(v => v.Type).ToDictionary(g => g.Key, g => g.Select(v => v.Kind).ToList());

    /// <summary>A bucket with two objects on S3 and, on MinIO, one of them changed and one extra: every kind of output.</summary>
    private async Task<string> SeedAsync()
    {
        // The longest names S3 allows, so a view that cuts them shows here.
        string bucket = (RgwPair.NewBucket("views") + "-").PadRight(63, 'x');
        await S3.CreateBucketAsync(rgw.SourceS3, bucket);
        await S3.PutAsync(rgw.SourceS3, bucket, "invoices/2024/05/q1.pdf", S3.RandomBytes(2500, 1));
        await S3.PutAsync(rgw.SourceS3, bucket, "invoices/2024/05/q2.pdf", S3.RandomBytes(1500, 2));
        await S3.CreateBucketAsync(rgw.TargetS3, bucket);
        await S3.PutAsync(rgw.TargetS3, bucket, "invoices/2024/05/q2.pdf", [1, 2, 3]);
        await S3.PutAsync(rgw.TargetS3, bucket, "scratch/only-on-minio.bin", [4]);
        return bucket;
    }

    [Fact]
    public async Task Every_type_written_is_declared_real_and_has_a_view()
    {
        string bucket = await SeedAsync();
        var written = new Dictionary<string, HashSet<string>>
        {
            ["Register-RestoreClients"] = TypesWritten(Register),
            ["Start-MinioRestore"] = TypesWritten($"Start-MinioRestore -Bucket {bucket}"),
            ["Test-MinioRestore"] = [.. TypesWritten($"Test-MinioRestore -Bucket {bucket}"), .. TypesWritten($"Test-MinioRestore -Bucket {bucket} -Quiet")],
            ["Merge-RestoreResult"] = TypesWritten($"Start-MinioRestore -Bucket {bucket} -ShardIndex 0 -ShardCount 1 | Merge-RestoreResult"),
        };
        var views = Views();

        foreach (var (cmdlet, types) in written)
        {
            var declared = _ps.Run($"(Get-Command {cmdlet}).OutputType | ForEach-Object Name").Output.Select(o => (string)o.BaseObject).ToList();
            Assert.True(types.IsSubsetOf(declared), $"{cmdlet} writes {string.Join(", ", types)} but declares [OutputType] {string.Join(", ", declared)}");
            foreach (var type in declared)
            {
                Assert.True(RealType(type) is not null, $"{cmdlet}: [OutputType] '{type}' is no loaded type");
                if (!type.StartsWith("System.", StringComparison.Ordinal))
                    Assert.True(views.ContainsKey(type), $"{cmdlet} writes {type}, which has no view in module/MinioRestore.format.ps1xml");
            }
        }
        Assert.Equal(4, written.Values.SelectMany(t => t).Count(t => t.StartsWith("MinioRestore.", StringComparison.Ordinal)));
    }

    private HashSet<string> TypesWritten(string pipeline)
    {
        var run = _ps.Run(pipeline, rgw.ScriptVariables());
        Assert.Null(run.TerminatingRecord);
        Assert.Empty(run.Errors);
        Assert.NotEmpty(run.Output);
        return run.Output.Select(o => o.TypeNames[0]).ToHashSet();
    }

    /// <summary>The type of that name in any assembly the process loaded (the engine lives in its own load context).</summary>
    private static Type? RealType(string name) =>
        Type.GetType(name) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name)).FirstOrDefault(t => t is not null);

    [Fact]
    public void The_format_file_loads_in_the_engine_and_every_view_names_a_real_type()
    {
        _ = new FormatTable([FormatFile]); // throws FormatTableLoadException on any error in the file

        var run = _ps.Run(Register, rgw.ScriptVariables()); // loads the engine's types
        Assert.Null(run.TerminatingRecord);
        // "Type#Kind" names a view for some objects of a real type (-AllVersions results: RestoreRun.Emit inserts it).
        Assert.All(Views().Keys, type => Assert.True(RealType(type.Split('#')[0]) is not null, $"the view for '{type}' names no loaded type"));
    }

    [Fact]
    public async Task The_tables_keep_status_counts_and_sizes_whole_and_cut_long_names_at_their_end()
    {
        string bucket = await SeedAsync();

        var restore = _ps.Run($"{Register} | Out-Null; Start-MinioRestore -Bucket {bucket} | Out-Default", rgw.ScriptVariables());
        // The restore's result names its source bucket, so it pipes into the check (as the help shows).
        var verify = _ps.Run($"Start-MinioRestore -Bucket {bucket} | Test-MinioRestore | Out-Default");
        output.WriteLine(restore.HostText);
        output.WriteLine(verify.HostText);

        Assert.Null(restore.TerminatingRecord);
        var table = Lines(restore.HostText);
        Assert.Contains(table, l => l.StartsWith("Status") && l.Contains("Copied") && l.Contains("Skipped") && l.Contains("Conflicts") && l.Contains("Failed")
                                    && l.Contains("Removed") && l.Contains("Size") && l.Contains("Duration") && l.Contains("SourceBucket") && l.Contains("TargetBucket"));
        // One conflict left alone, one object copied; both 63-character names shown from their start.
        string start = bucket[..30];
        Assert.Contains(table, l => System.Text.RegularExpressions.Regex.IsMatch(l,
            $@"^Succeeded\s+1\s+0\s+1\s+0\s+0\s+2\.4 KiB\s+00:00:\d\d\.\d\s+{start}\S*\s+{start}"));

        var differences = Lines(verify.HostText);
        Assert.Contains(differences, l => l.StartsWith("Difference") && l.Contains("SourceSize") && l.Contains("Key") && l.Contains("Reason"));
        Assert.Contains(differences, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Different\s+1500\s+3\s+invoices/2024/05/q2\.pdf\s+size differs"));
        Assert.Contains(differences, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Extra\s+1\s+scratch/only-on-minio\.bin\s+only on the target"));
    }

    [Fact]
    public void A_restore_of_days_and_terabytes_shows_both_whole()
    {
        // The view matches by type name, so the tests' own copy of the engine's type renders as the module's.
        var result = new RestoreResult
        {
            SourceBucket = "archive", TargetBucket = "archive", Status = RestoreStatus.Succeeded, Copied = 123456789,
            Bytes = 3L << 40, Duration = new TimeSpan(1, 2, 3, 4), SourceEndpoint = "https://s3.example", TargetEndpoint = "https://minio.example",
        };

        var run = _ps.Run("$result | Out-Default", new Dictionary<string, object?> { ["result"] = result });

        Assert.Contains(Lines(run.HostText), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Succeeded\s+123456789\s+0\s+0\s+0\s+0\s+3\.0 TiB\s+1\.02:03:04\s+archive\s+archive$"));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
