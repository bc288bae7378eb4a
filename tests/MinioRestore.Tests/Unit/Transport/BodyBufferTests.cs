using MinioRestore.Engine.Transport;

namespace MinioRestore.Tests.Unit.Transport;

/// <summary>The copy buffer of an upload's body (HttpObjectStore): the body's size, up to 64 KiB.</summary>
public sealed class BodyBufferTests
{
    [Theory]
    [InlineData(0L, 1)]              // an empty object: StreamContent needs a buffer of at least one byte
    [InlineData(1L, 1)]
    [InlineData(4096L, 4096)]        // a small object's upload holds no more than the object
    [InlineData(65536L, 65536)]
    [InlineData(65537L, 65536)]
    [InlineData(5L << 30, 65536)]    // a part or a large object: 64 KiB, as before
    public void The_buffer_is_the_body_up_to_64_KiB(long length, int expected) =>
        Assert.Equal(expected, HttpObjectStore.BodyBufferSize(length));
}
