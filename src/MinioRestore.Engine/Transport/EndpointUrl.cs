using MinioRestore.Engine.Errors;

namespace MinioRestore.Engine.Transport;

/// <summary>Checks an endpoint URL the way an operator types it: scheme, host and port only.</summary>
public static class EndpointUrl
{
    public static Uri Parse(string text, string role)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw Invalid(role, text, "it is empty");
        if (!text.Contains("://", StringComparison.Ordinal))
            throw Invalid(role, text, $"it has no scheme; write it as https://{Displayable(text.Trim())} (or http:// for a plain-HTTP server)");
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url))
            throw Invalid(role, text, "it is not a valid URL");
        return Validate(url, role);
    }

    internal static Uri Validate(Uri url, string role = "endpoint")
    {
        if (url.UserInfo.Length > 0)
            throw Invalid(role, url.OriginalString, "it carries credentials; pass them as a PSCredential instead");
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            throw Invalid(role, url.OriginalString, "only http:// and https:// are supported");
        if (url.AbsolutePath.Trim('/').Length > 0 || url.Query.Length > 0)
            throw Invalid(role, url.OriginalString,
                "it has a path; give only scheme, host and port (the bucket is given with -Bucket / -TargetBucket)");
        return new Uri(url.GetLeftPart(UriPartial.Authority));
    }

    private static RestoreException Invalid(string role, string? text, string why) =>
        new(ErrorIds.InvalidEndpoint, FailureKind.InvalidArgument,
            $"The {role} URL '{Displayable(text)}' cannot be used: {why}.");

    /// <summary>The text with anything before an '@' (user name and password) replaced by "***".</summary>
    private static string? Displayable(string? text)
    {
        int at = text?.LastIndexOf('@') ?? -1;
        if (at < 0) return text;
        int scheme = text!.IndexOf("://", StringComparison.Ordinal);
        int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return text[..start] + "***" + text[at..];
    }
}
