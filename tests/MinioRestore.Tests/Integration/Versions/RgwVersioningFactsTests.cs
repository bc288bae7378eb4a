using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using MinioRestore.Tests.Support;

namespace MinioRestore.Tests.Integration.Versions;

/// <summary>
/// What -AllVersions relies on about a versioned RGW bucket, measured directly with the SDK (not
/// through the code under test), so that a server which behaves otherwise fails here by name.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class RgwVersioningFactsTests(RgwPair rgw)
{
    private async Task<string> VersionedAsync(string purpose)
    {
        string bucket = RgwPair.NewBucket(purpose);
        await S3Versions.CreateVersionedBucketAsync(rgw.TargetS3, bucket);
        return bucket;
    }

    private async Task<HttpStatusCode> PutAsync(string bucket, string key, byte[] body, Action<PutObjectRequest> condition)
    {
        try
        {
            await S3.PutAsync(rgw.TargetS3, bucket, key, body, condition);
            return HttpStatusCode.OK;
        }
        catch (AmazonS3Exception e)
        {
            return e.StatusCode;
        }
    }

    [Fact]
    public async Task A_PUT_to_a_versioned_bucket_ignores_If_None_Match_and_refuses_every_If_Match_even_the_current_ETag()
    {
        string bucket = await VersionedAsync("fact-cond");
        await S3.PutAsync(rgw.TargetS3, bucket, "k", [1]);
        string current = (await rgw.TargetS3.GetObjectMetadataAsync(bucket, "k")).ETag;

        Assert.Equal(HttpStatusCode.OK, await PutAsync(bucket, "k", [2], r => r.IfNoneMatch = "*")); // a second version, not a 412
        Assert.Equal(2, (await S3Versions.ListAsync(rgw.TargetS3, bucket)).Count);
        current = (await rgw.TargetS3.GetObjectMetadataAsync(bucket, "k")).ETag;
        Assert.Equal(HttpStatusCode.PreconditionFailed, await PutAsync(bucket, "k", [3], r => r.IfMatch = current.Trim('"')));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await PutAsync(bucket, "k", [3], r => r.IfMatch = current));

        // On a bucket that was never versioned both conditions hold, as the plain restore relies on.
        string plain = RgwPair.NewBucket("fact-cond-plain");
        await S3.SeedAsync(rgw.TargetS3, plain, "k");
        current = (await rgw.TargetS3.GetObjectMetadataAsync(plain, "k")).ETag;
        Assert.Equal(HttpStatusCode.PreconditionFailed, await PutAsync(plain, "k", [2], r => r.IfNoneMatch = "*"));
        Assert.Equal(HttpStatusCode.OK, await PutAsync(plain, "k", [2], r => r.IfMatch = current.Trim('"')));
    }

    [Fact]
    public async Task DeleteObject_writes_a_marker_with_its_version_id_also_for_a_key_never_written_but_none_over_a_marker()
    {
        string bucket = await VersionedAsync("fact-dm");
        await S3.PutAsync(rgw.TargetS3, bucket, "k", [1]);

        var first = await rgw.TargetS3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "k" });
        Assert.Equal(HttpStatusCode.NoContent, first.HttpStatusCode);
        Assert.False(string.IsNullOrEmpty(first.VersionId));
        var again = await rgw.TargetS3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "k" });
        Assert.Equal(HttpStatusCode.NoContent, again.HttpStatusCode);
        Assert.True(string.IsNullOrEmpty(again.VersionId));
        var never = await rgw.TargetS3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "never-written" });
        Assert.False(string.IsNullOrEmpty(never.VersionId));

        var listed = await S3Versions.ListAsync(rgw.TargetS3, bucket);
        Assert.Equal(2, listed.Count(v => v.Key == "k")); // the version and one marker
        Assert.Single(listed, v => v.Key == "never-written" && v.IsDeleteMarker == true);
    }

    [Fact]
    public async Task A_HEAD_of_a_key_whose_newest_entry_is_a_delete_marker_is_404_without_naming_it_but_a_one_entry_listing_does()
    {
        string bucket = await VersionedAsync("fact-head");
        await S3.PutAsync(rgw.TargetS3, bucket, "k", [1]);
        await S3.PutAsync(rgw.TargetS3, bucket, "k-longer", [1]); // sorts after "k": the prefix listing starts with "k"
        string marker = (await rgw.TargetS3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "k" })).VersionId;

        var head = await Assert.ThrowsAsync<AmazonS3Exception>(() => rgw.TargetS3.GetObjectMetadataAsync(bucket, "k"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        var listed = await rgw.TargetS3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = "k", MaxKeys = 1 });
        var newest = Assert.Single(listed.Versions);
        Assert.Equal(("k", marker, true), (newest.Key, newest.VersionId, newest.IsDeleteMarker == true));
    }

    [Fact]
    public async Task A_keys_versions_and_delete_markers_are_listed_newest_first_in_the_order_written()
    {
        string bucket = await VersionedAsync("fact-order");
        var written = new List<(string Id, bool Marker)>();
        for (int i = 0; i < 6; i++)
        {
            if (i % 2 == 0) written.Add(((await rgw.TargetS3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream([(byte)i]) })).VersionId, false));
            else written.Add(((await rgw.TargetS3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "k" })).VersionId, true));
        }
        // Written as fast as they go: several in the same second, so the order is the listing's, not only the clock's.
        var listed = await S3Versions.ListAsync(rgw.TargetS3, bucket);
        Assert.Equal(written.AsEnumerable().Reverse(), listed.Select(v => (v.VersionId, v.IsDeleteMarker == true)));
        Assert.True(listed.Zip(listed.Skip(1)).All(p => p.First.LastModified >= p.Second.LastModified));
    }

    [Fact]
    public async Task A_multipart_completion_sent_again_succeeds_without_a_version_id_and_writes_no_second_version()
    {
        string bucket = await VersionedAsync("fact-complete");
        var upload = await rgw.TargetS3.InitiateMultipartUploadAsync(bucket, "m");
        var part = await rgw.TargetS3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = "m", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(S3.RandomBytes(5 * 1024 * 1024, 1)),
        });
        var complete = new CompleteMultipartUploadRequest { BucketName = bucket, Key = "m", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)] };

        Assert.False(string.IsNullOrEmpty((await rgw.TargetS3.CompleteMultipartUploadAsync(complete)).VersionId));
        Assert.True(string.IsNullOrEmpty((await rgw.TargetS3.CompleteMultipartUploadAsync(complete)).VersionId));
        Assert.Single(await S3Versions.ListAsync(rgw.TargetS3, bucket));
    }
}
