using MinioRestore.Engine.Restoring;

namespace MinioRestore.Tests.Unit.Restoring;

/// <summary>How -Remove sends keys to DeleteObjects.</summary>
public sealed class TargetWriterTests
{
    [Theory]
    [InlineData("plain/key.txt", true)]
    [InlineData("unicode/é-日本語-😀", true)]
    [InlineData("tab\there", false)]
    [InlineData("line\nbreak", false)]
    [InlineData("control\u0001", false)]
    [InlineData("nonchar\uFFFE", false)]
    public void Keys_XML_cannot_carry_are_removed_one_by_one(string key, bool batchable)
    {
        Assert.Equal(batchable, TargetWriter.XmlSafe(key));
    }
}
