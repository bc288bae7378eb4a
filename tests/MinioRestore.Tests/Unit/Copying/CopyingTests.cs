using System.Security.Cryptography;
using Amazon.S3;
using MinioRestore.Engine.Copying;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Tests.Unit.Copying;

/// <summary>Part layouts, the verifying stream and the retry policy of one object copy.</summary>
public sealed class CopyingTests
{
    private const long MiB = 1024 * 1024;

    private static readonly S3Endpoint Endpoint = new(new Uri("http://127.0.0.1:9000"), "us-east-1", "AKIDEXAMPLE", "Zx9-unit-test-secret-value");

    private static AmazonS3Exception S3Error(string code, int status) =>
        new("", Amazon.Runtime.ErrorType.Sender, code, "req", (System.Net.HttpStatusCode)status);

    [Theory]
    [InlineData(20 * MiB + 123, 3, 8 * MiB)]
    [InlineData(12 * MiB, 3, 5 * MiB)]
    [InlineData(64 * MiB, 4, 16 * MiB)]
    [InlineData(1000, 1, 1000)]
    public void The_source_part_layout_is_guessed_from_size_and_part_count(long size, int parts, long partSize)
    {
        var layout = PartLayout.ForSource(size, parts);
        Assert.Equal(partSize, layout.PartSize);
        Assert.Equal(parts, layout.Count);
        Assert.Equal(size, Enumerable.Range(0, layout.Count).Sum(i => layout.Part(i).Length));
    }

    [Fact]
    public void Own_layouts_stay_within_10000_parts()
    {
        var layout = PartLayout.Own(5L * 1024 * 1024 * 1024 * 1024);
        Assert.True(layout.Count <= 10_000);
        Assert.Equal(1, PartLayout.Own(0).Count);
    }

    [Fact]
    public async Task The_verifying_stream_hashes_what_passes_through()
    {
        var data = RandomNumberGenerator.GetBytes(100_000);
        long counted = 0;
        using var stream = new VerifyingStream(new MemoryStream(data), data.Length, n => counted += n);
        await stream.CopyToAsync(Stream.Null);
        Assert.Equal(MD5.HashData(data), stream.Md5);
        Assert.Equal(data.Length, counted);
    }

    [Fact]
    public async Task A_body_that_ends_early_or_runs_long_fails_the_read()
    {
        using var shortBody = new VerifyingStream(new MemoryStream(new byte[10]), 11, null);
        await Assert.ThrowsAsync<SourceReadException>(() => shortBody.CopyToAsync(Stream.Null));
        using var longBody = new VerifyingStream(new MemoryStream(new byte[12]), 11, null);
        await Assert.ThrowsAsync<SourceReadException>(() => longBody.CopyToAsync(Stream.Null));
    }

    [Fact]
    public async Task Retries_transient_failures_with_backoff_and_gives_up_on_permanent_ones()
    {
        var policy = new RetryPolicy(4, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));
        int calls = 0, retries = 0;
        var value = await policy.RunAsync(_ => ++calls < 3 ? throw S3Error("SlowDown", 503) : Task.FromResult(42),
            e => S3Failure.Explain(e, "S3 source", Endpoint, "testing", ErrorIds.ObjectCopyFailed), (_, _) => retries++, CancellationToken.None);
        Assert.Equal(42, value);
        Assert.Equal(2, retries);

        calls = 0;
        await Assert.ThrowsAsync<RestoreException>(() => policy.RunAsync<int>(_ => { calls++; throw S3Error("AccessDenied", 403); },
            e => S3Failure.Explain(e, "S3 source", Endpoint, "testing", ErrorIds.ObjectCopyFailed), null, CancellationToken.None));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_past_the_attempts_until_the_time_budget_is_spent()
    {
        var policy = new RetryPolicy(2, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20), budget: TimeSpan.FromMilliseconds(400));
        Assert.True(policy.MayRetry(5, TimeSpan.FromMilliseconds(399)));
        Assert.False(policy.MayRetry(5, TimeSpan.FromMilliseconds(401)));
        Assert.True(policy.MayRetry(1, TimeSpan.FromHours(1))); // the attempts are a floor, the budget a further allowance

        var clock = System.Diagnostics.Stopwatch.StartNew();
        int calls = 0;
        var failure = await Assert.ThrowsAsync<RestoreException>(() => policy.RunAsync<int>(_ => { calls++; throw S3Error("SlowDown", 503); },
            e => S3Failure.Explain(e, "S3 source", Endpoint, "testing", ErrorIds.ObjectCopyFailed), null, CancellationToken.None));
        Assert.True(failure.IsTransient);
        Assert.True(calls > 2, $"only {calls} attempts within the budget");
        Assert.InRange(clock.Elapsed.TotalMilliseconds, 400, 5000);
        Assert.Equal(TimeSpan.FromSeconds(60), RetryPolicy.Default.Budget);
    }

    [Fact]
    public void Backoff_grows_exponentially_up_to_the_cap()
    {
        var policy = new RetryPolicy(10, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        for (int attempt = 1; attempt < 10; attempt++)
        {
            var bound = Math.Min(1000, 100 * Math.Pow(2, attempt - 1));
            for (int i = 0; i < 50; i++) Assert.InRange(policy.DelayBefore(attempt).TotalMilliseconds, 0, bound);
        }
    }
}
