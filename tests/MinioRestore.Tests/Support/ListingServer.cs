using System.Collections.Concurrent;
using System.Reflection;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Engine.Comparing;

namespace MinioRestore.Tests.Support;

/// <summary>
/// An in-memory S3 that answers only ListObjectsV2, as S3 documents it (keys in UTF-8 byte order,
/// Prefix, StartAfter, Delimiter, MaxKeys over keys and common prefixes together, opaque continuation
/// tokens), and counts the requests. For unit tests of the listing's range logic over many layouts;
/// the integration tests check the same against RGW.
/// </summary>
public class ListingServer : DispatchProxy
{
    private string[] _keys = [];
    private IComparer<string> _order = KeyOrder.Instance;
    private bool _omitMarkFolder;
    private readonly ConcurrentDictionary<string, (string After, bool SkipFolder)> _tokens = new();
    private int _requests, _delimited, _probes, _inFlight, _maxInFlight;

    /// <param name="omitMarkFolder">
    /// Play a server whose delimiter listing after a key does not name the folder that key is in
    /// (S3 names it); the listing must not lose that folder's rest.
    /// </param>
    /// <param name="order">The order the server lists in and compares StartAfter with: S3's (UTF-8 bytes) unless another is played.</param>
    public static (IAmazonS3 Client, ListingServer Server) Create(IEnumerable<string> keys, bool omitMarkFolder = false, IComparer<string>? order = null)
    {
        var client = Create<IAmazonS3, ListingServer>();
        var server = (ListingServer)(object)client;
        server._order = order ?? KeyOrder.Instance;
        server._keys = [.. keys.Distinct(StringComparer.Ordinal).Order(server._order)];
        server._omitMarkFolder = omitMarkFolder;
        return (client, server);
    }

    /// <summary>Whether an XML 1.0 answer can carry <paramref name="text"/> unencoded.</summary>
    public static bool XmlCanCarry(string text)
    {
        try { System.Xml.XmlConvert.VerifyXmlChars(text); return true; }
        catch (System.Xml.XmlException) { return false; }
    }

    public int Requests => _requests;
    public int DelimitedRequests => _delimited;
    /// <summary>Listings of one key without a delimiter: the probes of flat keys.</summary>
    public int ProbeRequests => _probes;
    public int MostInFlight => _maxInFlight;

    /// <summary>Delimiter listings (surveys) fail with this server error, when set.</summary>
    public string? FailDelimitedWith { get; set; }

    /// <summary>The StartAfter of each chain of ListObjectsV2 pages (no delimiter, more than one key): where ranges started.</summary>
    public ConcurrentQueue<string> ChainStarts { get; } = new();

    /// <summary>Probes (listings of one key, no delimiter) fail with this server error, when set.</summary>
    public string? FailProbesWith { get; set; }

    /// <summary>From this request on, a listing that goes on says so without a continuation token (a broken server or proxy).</summary>
    public int DropTokensFrom { get; set; } = int.MaxValue;

    /// <summary>Each answer waits this long, so requests overlap as they would on a network; zero only yields.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Versions per key for ListObjectVersions (newest first, ids "v{n}" counting down to "v1"; every
    /// third key's newest a delete marker); null: one each. A key marker without a version-id marker
    /// lists that key again, as RGW does.
    /// </summary>
    public Func<string, int>? VersionsOf { get; set; }

    public int VersionRequests => _versionRequests;
    /// <summary>ListObjectVersions with a key marker and no version-id marker: the start of a chain after a bound (a range, or a mark).</summary>
    public int VersionChainStarts => _versionChainStarts;
    private int _versionRequests, _versionChainStarts;

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method?.Name == nameof(IAmazonS3.ListObjectsV2Async) && args is [ListObjectsV2Request request, CancellationToken cancel])
            return ListAsync(request, cancel);
        if (method?.Name == nameof(IAmazonS3.ListVersionsAsync) && args is [ListVersionsRequest versions, CancellationToken cancelVersions])
            return ListVersionsAsync(versions, cancelVersions);
        throw new NotSupportedException(method?.Name);
    }

    private async Task<ListObjectsV2Response> ListAsync(ListObjectsV2Request request, CancellationToken cancel)
    {
        int sequence = Interlocked.Increment(ref _requests);
        if (!string.IsNullOrEmpty(request.Delimiter))
        {
            Interlocked.Increment(ref _delimited);
            if (FailDelimitedWith is { } error) throw new AmazonS3Exception(error) { ErrorCode = error, StatusCode = System.Net.HttpStatusCode.InternalServerError };
        }
        else if (request.MaxKeys == 1)
        {
            Interlocked.Increment(ref _probes);
            if (FailProbesWith is { } error) throw new AmazonS3Exception(error) { ErrorCode = error, StatusCode = System.Net.HttpStatusCode.InternalServerError };
        }
        else if (request.ContinuationToken is null && request.StartAfter is { } start) ChainStarts.Enqueue(start);
        int now = Interlocked.Increment(ref _inFlight);
        for (int seen = _maxInFlight; now > seen; seen = _maxInFlight) Interlocked.CompareExchange(ref _maxInFlight, now, seen);
        try
        {
            if (Latency > TimeSpan.Zero) await Task.Delay(Latency, cancel);
            else await Task.Yield();
            var answer = Answer(request);
            if (sequence >= DropTokensFrom) answer.NextContinuationToken = null;
            return answer;
        }
        finally { Interlocked.Decrement(ref _inFlight); }
    }

    /// <summary>Every version of the bucket in listing order: keys in order, each newest first.</summary>
    public IEnumerable<(string Key, string VersionId, bool DeleteMarker)> AllVersions() =>
        _keys.SelectMany((key, k) => Enumerable.Range(0, VersionsOf?.Invoke(key) ?? 1).Select(i => (key, $"v{(VersionsOf?.Invoke(key) ?? 1) - i}", i == 0 && k % 3 == 2)));

    private async Task<ListVersionsResponse> ListVersionsAsync(ListVersionsRequest request, CancellationToken cancel)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _versionRequests);
        if (request.KeyMarker is not null && request.VersionIdMarker is null) Interlocked.Increment(ref _versionChainStarts);
        int now = Interlocked.Increment(ref _inFlight);
        for (int seen = _maxInFlight; now > seen; seen = _maxInFlight) Interlocked.CompareExchange(ref _maxInFlight, now, seen);
        try
        {
            if (Latency > TimeSpan.Zero) await Task.Delay(Latency, cancel);
            else await Task.Yield();
            // A bound we chose (a continuation's key marker is the server's own last key: not checked).
            if (request.VersionIdMarker is null) System.Xml.XmlConvert.VerifyXmlChars(request.KeyMarker ?? "");
            System.Xml.XmlConvert.VerifyXmlChars(request.Prefix ?? "");
            string prefix = request.Prefix ?? "";
            var response = new ListVersionsResponse { Versions = [], IsTruncated = false };
            int max = request.MaxKeys ?? 1000;
            bool started = request.KeyMarker is null;
            foreach (var (key, id, marker) in AllVersions())
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                if (!started)
                {
                    int c = _order.Compare(key, request.KeyMarker!);
                    if (c < 0) continue;
                    // A key marker alone lists that key again (RGW); with a version-id marker, its versions after that one.
                    if (c == 0 && request.VersionIdMarker is { } after && int.Parse(id[1..]) >= int.Parse(after[1..])) continue;
                    started = true;
                }
                if (response.Versions.Count == max)
                {
                    var last = response.Versions[^1];
                    response.IsTruncated = true;
                    response.NextKeyMarker = last.Key;
                    response.NextVersionIdMarker = last.VersionId;
                    break;
                }
                response.Versions.Add(new S3ObjectVersion
                {
                    Key = key, VersionId = id, IsDeleteMarker = marker, Size = key.Length, ETag = "\"e\"",
                    LastModified = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(int.Parse(id[1..])),
                });
            }
            return response;
        }
        finally { Interlocked.Decrement(ref _inFlight); }
    }

    private ListObjectsV2Response Answer(ListObjectsV2Request request)
    {
        // RGW echoes these into its XML answer unencoded: one XML cannot carry makes the answer unreadable.
        System.Xml.XmlConvert.VerifyXmlChars(request.StartAfter ?? "");
        System.Xml.XmlConvert.VerifyXmlChars(request.Prefix ?? "");
        string prefix = request.Prefix ?? "";
        string? after = request.StartAfter;
        string? skipFolder = null;
        if (request.ContinuationToken is { } token)
        {
            var t = _tokens[token];
            after = t.After;
            if (t.SkipFolder) skipFolder = t.After;
        }
        var response = new ListObjectsV2Response { S3Objects = [], CommonPrefixes = [], IsTruncated = false };
        string? markFolder = null;
        if (_omitMarkFolder && request.ContinuationToken is null && after is not null && !string.IsNullOrEmpty(request.Delimiter)
            && after.StartsWith(prefix, StringComparison.Ordinal) && after.IndexOf(request.Delimiter, prefix.Length, StringComparison.Ordinal) is int i and >= 0)
            markFolder = after[..(i + request.Delimiter.Length)];
        int max = request.MaxKeys ?? 1000, count = 0;
        string? last = null;
        bool lastIsFolder = false;
        foreach (var key in _keys)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (after is not null && _order.Compare(key, after) <= 0) continue;
            if (skipFolder is not null && key.StartsWith(skipFolder, StringComparison.Ordinal)) continue;
            string? folder = null;
            if (!string.IsNullOrEmpty(request.Delimiter) && key.IndexOf(request.Delimiter, prefix.Length, StringComparison.Ordinal) is int d and >= 0)
                folder = key[..(d + request.Delimiter.Length)];
            if (folder is not null && (folder == last && lastIsFolder || folder == markFolder)) continue;
            if (count == max)
            {
                response.IsTruncated = true;
                string next = Guid.NewGuid().ToString("N");
                _tokens[next] = (last!, lastIsFolder);
                response.NextContinuationToken = next;
                break;
            }
            if (folder is null) response.S3Objects.Add(new S3Object { Key = key, Size = key.Length, ETag = "\"e\"" });
            else response.CommonPrefixes.Add(folder);
            last = folder ?? key;
            lastIsFolder = folder is not null;
            count++;
        }
        return response;
    }
}
