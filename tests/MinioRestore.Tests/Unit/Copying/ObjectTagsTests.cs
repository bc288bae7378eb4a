using Amazon.S3.Model;
using MinioRestore.Engine.Copying;

namespace MinioRestore.Tests.Unit.Copying;

public sealed class ObjectTagsTests
{
    [Fact]
    public void Tags_are_percent_encoded_as_a_query()
    {
        Assert.Equal("cost%20center=ops%2Bdev%2F2026&a=b%3Dc%26d",
            ObjectTags.Encode([new Tag { Key = "cost center", Value = "ops+dev/2026" }, new Tag { Key = "a", Value = "b=c&d" }]));
        Assert.Equal("k=", ObjectTags.Encode([new Tag { Key = "k", Value = "" }]));
        Assert.Equal("gr%C3%B6%C3%9Fe=1", ObjectTags.Encode([new Tag { Key = "größe", Value = "1" }]));
    }

    [Fact]
    public void No_tags_write_no_header() => Assert.Null(ObjectTags.Encode([]));
}
