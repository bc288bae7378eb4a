using System.Text.RegularExpressions;
using Amazon.S3.Model;
using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Transport;

namespace MinioRestore.Engine.Listing;

/// <summary>One bucket to restore: the backup bucket on S3 and the bucket it goes to on MinIO.</summary>
public sealed record BucketPair(string Source, string Target);

/// <summary>
/// The DC/OS backup plan's naming: MinIO bucket <c>b</c> of service <c>svc</c> is backed up to the
/// S3 bucket <c>svc-b</c>. Restoring a service restores every <c>svc-b</c> into <c>b</c>.
/// </summary>
public static partial class ServiceBuckets
{
    public static string ValidateServiceName(string? service)
    {
        if (string.IsNullOrEmpty(service) || !ServiceName().IsMatch(service))
            throw new RestoreException(ErrorIds.InvalidServiceName, FailureKind.InvalidArgument,
                $"'{service}' is not a valid service name: use lower-case letters, digits, '.' and '-', starting and ending with a letter or digit, " +
                "as the name starts the backup buckets (e.g. 'minio' for the backup bucket 'minio-reports'), without the trailing '-'.");
        return service;
    }

    /// <summary>The buckets named <c>&lt;service&gt;-&lt;b&gt;</c>, each paired with <c>b</c>, in name order.</summary>
    public static IReadOnlyList<BucketPair> Select(string service, IEnumerable<string> sourceBuckets)
    {
        string prefix = ValidateServiceName(service) + "-";
        return sourceBuckets
            .Where(b => b.Length > prefix.Length && b.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(b => new BucketPair(b, b[prefix.Length..]))
            .ToList();
    }

    /// <summary>Lists the S3 buckets and selects the service's; none is an error that names what is there.</summary>
    public static async Task<IReadOnlyList<BucketPair>> FindAsync(S3Endpoint source, string service, CancellationToken cancel)
    {
        ValidateServiceName(service);
        var buckets = await ListBucketsAsync(source, cancel).ConfigureAwait(false);
        var pairs = Select(service, buckets);
        if (pairs.Count == 0)
        {
            string there = buckets.Count == 0 ? "it has no bucket at all"
                : $"it has {buckets.Count} bucket(s): {string.Join(", ", buckets.Take(10))}{(buckets.Count > 10 ? ", ..." : "")}";
            throw new RestoreException(ErrorIds.ServiceBucketsNotFound, FailureKind.NotFound,
                $"No backup of service '{service}' on the {EndRole.Source} {source.Url.GetLeftPart(UriPartial.Authority)}: no bucket is named '{service}-<bucket>'; {there}. " +
                "Check the service name and the S3 endpoint; nothing was written.");
        }
        return pairs;
    }

    private static async Task<IReadOnlyList<string>> ListBucketsAsync(S3Endpoint source, CancellationToken cancel)
    {
        try
        {
            return await BucketDirectory.ListAsync(source, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            var failure = S3Failure.Explain(e, EndRole.Source, source, "listing the buckets", ErrorIds.ListingFailed);
            if (failure.ErrorId == ErrorIds.AccessDenied)
                throw new RestoreException(failure.ErrorId, failure.Kind,
                    failure.Message + " -ServiceName needs to list the buckets (s3:ListAllMyBuckets); without that permission, name each backup bucket with -Bucket.", e);
            throw failure;
        }
    }

    /// <summary>Every service name that <see cref="Select"/> finds restorable buckets for, with those buckets (for tab completion).</summary>
    public static SortedDictionary<string, IReadOnlyList<BucketPair>> Services(IReadOnlyCollection<string> sourceBuckets)
    {
        var services = new SortedDictionary<string, IReadOnlyList<BucketPair>>(StringComparer.Ordinal);
        foreach (string name in sourceBuckets)
            for (int dash = name.IndexOf('-'); dash > 0; dash = name.IndexOf('-', dash + 1))
            {
                string service = name[..dash];
                if (services.ContainsKey(service) || !ServiceName().IsMatch(service)) continue;
                var pairs = Select(service, sourceBuckets).Where(p => BucketNames.IsValid(p.Target)).ToList();
                if (pairs.Count > 0) services[service] = pairs;
            }
        return services;
    }

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")]
    private static partial Regex ServiceName();
}
