using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Tests.Unit.Transport;

/// <summary>Reads left unanswered are asked again (HedgingHandler); writes never are.</summary>
public sealed class HedgingTests
{
    /// <summary>Answers each request as <c>answer</c> says, given the request's number (0: the first).</summary>
    private sealed class ScriptedHandler(Func<int, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        private int _count;
        public ConcurrentQueue<HttpRequestMessage> Seen { get; } = new();
        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel)
        {
            Seen.Enqueue(request);
            return answer(Interlocked.Increment(ref _count) - 1, cancel);
        }
    }

    private static HttpResponseMessage Answer(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body) };

    private static async Task<HttpResponseMessage> NeverAsync(CancellationToken cancel)
    {
        await Task.Delay(Timeout.Infinite, cancel);
        throw new InvalidOperationException("unreachable");
    }

    [Fact]
    public async Task A_listing_page_left_unanswered_is_asked_again_with_the_same_signed_headers_and_the_second_answer_is_taken()
    {
        var cancelled = new TaskCompletionSource();
        var inner = new ScriptedHandler(async (n, cancel) =>
        {
            if (n == 0)
            {
                try { return await NeverAsync(cancel); }
                catch (OperationCanceledException) { cancelled.TrySetResult(); throw; }
            }
            return Answer("second");
        });
        using var client = new HttpClient(new HedgingHandler(inner, TimeSpan.FromMilliseconds(50)));
        var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1/bucket?list-type=2");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=x, Signature=abc");
        request.Headers.TryAddWithoutValidation("x-amz-date", "20261202T000000Z");

        using var response = await client.SendAsync(request);

        Assert.Equal("second", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, inner.Count);
        var asked = inner.Seen.ToArray();
        Assert.NotSame(asked[0], asked[1]);
        Assert.Equal(asked[0].RequestUri, asked[1].RequestUri);
        foreach (var name in new[] { "Authorization", "x-amz-date" })
            Assert.Equal(asked[0].Headers.GetValues(name), asked[1].Headers.GetValues(name));
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the unanswered one is let go
    }

    /// <summary>A body that sends <paramref name="first"/>, then nothing until cancelled.</summary>
    private sealed class StallingBody(string first) : Stream
    {
        private bool _sent;
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
        {
            if (!_sent) { _sent = true; return System.Text.Encoding.UTF8.GetBytes(first, buffer.Span); }
            await Task.Delay(Timeout.Infinite, cancel);
            return 0;
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel) => ReadAsync(buffer.AsMemory(offset, count), cancel).AsTask();
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("a synchronous read of the network: no timeout reaches it");
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task A_listing_page_whose_body_stops_half_way_is_asked_again_and_the_whole_second_answer_taken()
    {
        var inner = new ScriptedHandler((n, _) => Task.FromResult(n == 0
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new StallingBody("<ListBucketResult><Contents>")) }
            : Answer("<ListBucketResult/>")));
        using var client = new HttpClient(new HedgingHandler(inner, TimeSpan.FromMilliseconds(50)));

        using var response = await client.GetAsync("http://127.0.0.1:1/bucket/?list-type=2&prefix=a%2F", HttpCompletionOption.ResponseHeadersRead);

        // The body is whole in memory: read synchronously, as the SDK's XML reader does, it cannot block.
        using var reader = new StreamReader(response.Content.ReadAsStream());
        Assert.Equal("<ListBucketResult/>", reader.ReadToEnd());
        Assert.Equal(2, inner.Count);
    }

    [Theory]
    [InlineData("http://h/bucket/?list-type=2&start-after=a", true)]
    [InlineData("http://h/bucket/?versions&key-marker=a", true)]
    [InlineData("http://h/bucket/?object-lock", true)]
    [InlineData("http://h/bucket/key?tagging", true)]
    [InlineData("http://h/bucket/key?uploadId=1", true)]              // a completion's answer
    [InlineData("http://h/bucket/key", false)]                        // an object: streamed
    [InlineData("http://h/key-at-a-virtual-host-root", false)]
    [InlineData("http://h/bucket/key?versionId=3", false)]
    [InlineData("http://h/bucket/key?partNumber=2&uploadId=1", true)] // ListParts (an UploadPart answers with no body)
    [InlineData("http://h/bucket/list-type%3D2?x-id=GetObject", false)]
    public void Control_answers_are_told_from_object_bodies_by_the_query(string url, bool control) =>
        Assert.Equal(control, HedgingHandler.IsControlAnswer(new HttpRequestMessage(HttpMethod.Get, url)));

    [Fact]
    public async Task A_read_answered_in_time_is_asked_once()
    {
        var inner = new ScriptedHandler((_, _) => Task.FromResult(Answer("first")));
        using var client = new HttpClient(new HedgingHandler(inner, TimeSpan.FromMilliseconds(200)));
        for (int i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("http://127.0.0.1:1/bucket?list-type=2");
            Assert.Equal("first", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(5, inner.Count);
    }

    [Fact]
    public async Task A_write_is_never_asked_twice_however_long_it_waits()
    {
        var inner = new ScriptedHandler(async (_, cancel) => { await Task.Delay(400, cancel); return Answer("done"); });
        using var client = new HttpClient(new HedgingHandler(inner, TimeSpan.FromMilliseconds(20)));
        using var put = await client.PutAsync("http://127.0.0.1:1/bucket/key", new ByteArrayContent(new byte[10]));
        using var post = await client.PostAsync("http://127.0.0.1:1/bucket/key?uploads", null);
        using var delete = await client.DeleteAsync("http://127.0.0.1:1/bucket/key");
        Assert.Equal(3, inner.Count);
    }

    [Fact]
    public async Task When_the_second_ask_fails_the_first_answer_is_still_taken()
    {
        var inner = new ScriptedHandler(async (n, cancel) =>
        {
            if (n == 1) throw new HttpRequestException("connection refused");
            await Task.Delay(300, cancel);
            return Answer("late first");
        });
        using var client = new HttpClient(new HedgingHandler(inner, TimeSpan.FromMilliseconds(30)));
        using var response = await client.GetAsync("http://127.0.0.1:1/bucket?list-type=2");
        Assert.Equal("late first", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, inner.Count);
    }

    [Fact]
    public async Task When_both_asks_fail_the_first_one_s_failure_is_the_one_reported()
    {
        var inner = new ScriptedHandler(async (n, cancel) =>
        {
            if (n == 0) { await Task.Delay(200, cancel); throw new HttpRequestException("first failure"); }
            throw new HttpRequestException("second failure");
        });
        using var client = new HttpClient(new HedgingHandler(inner, TimeSpan.FromMilliseconds(30)));
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://127.0.0.1:1/bucket?list-type=2"));
        Assert.Equal("first failure", failure.Message);
    }

    [Fact]
    public async Task The_caller_s_cancellation_ends_both_asks()
    {
        var ended = 0;
        var inner = new ScriptedHandler(async (_, cancel) =>
        {
            try { return await NeverAsync(cancel); }
            finally { Interlocked.Increment(ref ended); }
        });
        using var client = new HttpClient(new HedgingHandler(inner, TimeSpan.FromMilliseconds(20)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync("http://127.0.0.1:1/bucket?list-type=2", cancel.Token));
        Assert.Equal(2, inner.Count);
        for (int i = 0; i < 100 && Volatile.Read(ref ended) < 2; i++) await Task.Delay(20);
        Assert.Equal(2, Volatile.Read(ref ended));
    }
}
