using MinioRestore.Engine.Errors;
using MinioRestore.Engine.Listing;

namespace MinioRestore.Tests.Unit.Listing;

/// <summary>The S3 bucket-name rules, strict and legacy.</summary>
public sealed class BucketNameTests
{
    [Theory]
    [InlineData("legacy_Name", true, true)]
    [InlineData("legacy_Name", false, false)]
    [InlineData("my.bucket-1", false, true)]
    [InlineData("xn", false, false)]
    public void Bucket_names_follow_the_S3_rules(string name, bool legacy, bool valid)
    {
        if (valid) Assert.Equal(name, BucketNames.Validate(name, "source", legacy));
        else Assert.Equal(ErrorIds.InvalidBucketName, Assert.Throws<RestoreException>(() => BucketNames.Validate(name, "source", legacy)).ErrorId);
    }
}
