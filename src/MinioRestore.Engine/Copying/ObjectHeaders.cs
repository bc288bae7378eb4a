using Amazon.S3.Model;

namespace MinioRestore.Engine.Copying;

/// <summary>The object's HTTP headers and user metadata, carried from the source to the target unchanged.</summary>
internal sealed record ObjectHeaders(
    string? ContentType, string? ContentEncoding, string? ContentDisposition, string? ContentLanguage,
    string? CacheControl, string? Expires, IReadOnlyList<KeyValuePair<string, string>> Metadata)
{
    public static ObjectHeaders From(HeadersCollection headers, MetadataCollection metadata, string? expires) =>
        new(headers.ContentType, headers.ContentEncoding, headers.ContentDisposition, headers[ContentLanguageHeader],
            headers.CacheControl, expires, metadata.Keys.Select(k => KeyValuePair.Create(k, metadata[k])).ToList());

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

    private const string ContentLanguageHeader = "Content-Language";
    private const string ExpiresHeader = "Expires";
}
