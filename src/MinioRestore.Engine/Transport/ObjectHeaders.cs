using System.Net.Http;
using Amazon.S3.Model;

namespace MinioRestore.Engine.Transport;

/// <summary>The object's HTTP headers and user metadata, carried from the source to the target unchanged.</summary>
internal sealed record ObjectHeaders(
    string? ContentType, string? ContentEncoding, string? ContentDisposition, string? ContentLanguage,
    string? CacheControl, string? Expires, IReadOnlyList<KeyValuePair<string, string>> Metadata)
{
    /// <summary>How many tags the source said the object has (<c>x-amz-tagging-count</c>); null where the answer does not say (a HEAD).</summary>
    public int? TagCount { get; init; }

    /// <summary>The tags to write with the object (<see cref="Copying.ObjectTags"/>); null or empty writes none.</summary>
    public IReadOnlyList<Tag>? Tags { get; init; }

    /// <summary>The object's retention and legal hold, where the source gave them; null keeps none.</summary>
    public Copying.ObjectLock? Lock { get; init; }

    /// <summary>x-amz-website-redirect-location: where a bucket website sends requests for this object.</summary>
    public string? WebsiteRedirect { get; init; }

    /// <summary>The storage class to write the object in (<see cref="Copying.StorageClasses"/>); null: the target's default.</summary>
    public string? StorageClass { get; init; }

    /// <summary>The tag set for an SDK request's TagSet (the SDK encodes it), or null.</summary>
    public List<Tag>? TagSet => Tags is { Count: > 0 } tags ? [.. tags] : null;

    public static ObjectHeaders From(HeadersCollection headers, MetadataCollection metadata, string? expires) =>
        new(headers.ContentType, headers.ContentEncoding, headers.ContentDisposition, headers[ContentLanguageHeader],
            headers.CacheControl, expires, metadata.Keys.Select(k => KeyValuePair.Create(k, metadata[k])).ToList())
        { TagCount = TagCountOf(headers[TagCountHeader]) };

    /// <summary>A HEAD answer's headers, metadata, Object Lock and website redirect (no tags: a HEAD does not count them; no storage class to write).</summary>
    public static ObjectHeaders From(GetObjectMetadataResponse head) =>
        From(head.Headers, head.Metadata, head.ExpiresString) with
        {
            Lock = Copying.ObjectLock.Of(head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus),
            WebsiteRedirect = head.WebsiteRedirectLocation,
        };

    /// <summary>The headers of a GET answer as the server sent them, byte for byte (no tag count: no tags).</summary>
    public static ObjectHeaders From(HttpResponseMessage response)
    {
        string? Content(string name) => HttpObjectStore.Header(response.Content.Headers, name);
        var metadata = response.Headers.NonValidated
            .Where(h => h.Key.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(h => KeyValuePair.Create(h.Key.ToLowerInvariant(), h.Value.ToString()))
            .ToList();
        return new(Content("Content-Type"), Content("Content-Encoding"), Content("Content-Disposition"), Content(ContentLanguageHeader),
            HttpObjectStore.Header(response.Headers, "Cache-Control"), Content(ExpiresHeader), metadata)
        {
            TagCount = TagCountOf(HttpObjectStore.Header(response.Headers, TagCountHeader)) ?? 0,
            WebsiteRedirect = HttpObjectStore.Header(response.Headers, WebsiteRedirectHeader),
            Lock = Copying.ObjectLock.Of(HttpObjectStore.Header(response.Headers, Copying.ObjectLock.ModeHeader),
                HttpObjectStore.Header(response.Headers, Copying.ObjectLock.RetainUntilHeader), HttpObjectStore.Header(response.Headers, Copying.ObjectLock.LegalHoldHeader)),
        };
    }

    private static int? TagCountOf(string? header) =>
        int.TryParse(header, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : null;

    /// <summary>Onto an SDK request; its tags go in the request's TagSet (<see cref="TagSet"/>).</summary>
    public void ApplyTo(HeadersCollection headers, MetadataCollection metadata)
    {
        if (!string.IsNullOrEmpty(ContentType)) headers.ContentType = ContentType;
        if (!string.IsNullOrEmpty(ContentEncoding)) headers.ContentEncoding = ContentEncoding;
        if (!string.IsNullOrEmpty(ContentDisposition)) headers.ContentDisposition = ContentDisposition;
        if (!string.IsNullOrEmpty(ContentLanguage)) headers[ContentLanguageHeader] = ContentLanguage;
        if (!string.IsNullOrEmpty(CacheControl)) headers.CacheControl = CacheControl;
        if (!string.IsNullOrEmpty(Expires)) headers[ExpiresHeader] = Expires;
        foreach (var (key, value) in Metadata) metadata[key] = value;
    }

    /// <summary>Onto a request that has its content set.</summary>
    public void ApplyTo(HttpRequestMessage request)
    {
        var content = request.Content!.Headers;
        void Set(System.Net.Http.Headers.HttpHeaders headers, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) headers.TryAddWithoutValidation(name, value);
        }
        Set(content, "Content-Type", ContentType);
        Set(content, "Content-Encoding", ContentEncoding);
        Set(content, "Content-Disposition", ContentDisposition);
        Set(content, ContentLanguageHeader, ContentLanguage);
        Set(content, ExpiresHeader, Expires);
        Set(request.Headers, "Cache-Control", CacheControl);
        foreach (var (key, value) in Metadata)
            request.Headers.TryAddWithoutValidation(key.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) ? key : MetadataPrefix + key, value);
        Set(request.Headers, TaggingHeader, Copying.ObjectTags.Encode(Tags ?? []));
        Lock?.ApplyTo(request);
        Set(request.Headers, WebsiteRedirectHeader, WebsiteRedirect);
        Set(request.Headers, StorageClassHeader, StorageClass);
    }

    private const string ContentLanguageHeader = "Content-Language";
    private const string ExpiresHeader = "Expires";
    private const string MetadataPrefix = "x-amz-meta-";
    private const string TagCountHeader = "x-amz-tagging-count";
    internal const string TaggingHeader = "x-amz-tagging";
    private const string WebsiteRedirectHeader = "x-amz-website-redirect-location";
    internal const string StorageClassHeader = "x-amz-storage-class";
}
