using System.Security.Cryptography;

namespace MinioRestore.Engine.Copying;

/// <summary>Raised when reading the source body failed, so the copier blames the right end.</summary>
internal sealed class SourceReadException(Exception inner) : IOException("Reading the source body failed.", inner);

/// <summary>
/// Passes the source body through to the upload while counting bytes and, where the copier needs
/// its own digest, hashing it (MD5), so the copy is checked end to end without holding the body
/// in memory. A body that ends early or runs long fails the read, which aborts the upload before
/// the target stores anything.
/// </summary>
internal sealed class VerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly long _expected;
    private readonly Action<long>? _onBytes;
    private readonly IncrementalHash? _md5;
    private long _read;
    private byte[]? _digest;
    private SourceReadException? _failure;

    /// <param name="hashing">Whether to hash the bytes (MD5): not where the target's own answer vouches for them.</param>
    public VerifyingStream(Stream inner, long expectedLength, Action<long>? onBytes, bool hashing = true)
    {
        _inner = inner;
        _expected = expectedLength;
        _onBytes = onBytes;
        if (hashing) _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        if (expectedLength == 0) _digest = _md5?.GetHashAndReset();
    }

    public long BytesRead => _read;

    /// <summary>
    /// MD5 of everything read (null when not hashing); only once the whole expected length was
    /// read (still there after the upload disposed the stream).
    /// </summary>
    public byte[]? Md5 => _read == _expected ? _digest : throw Truncated();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try { n = _inner.Read(buffer); }
        catch (Exception e) when (e is not OperationCanceledException) { throw _failure = new SourceReadException(e); }
        return Account(buffer[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel) =>
        ReadAsync(buffer.AsMemory(offset, count), cancel).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancel = default)
    {
        int n;
        try { n = await _inner.ReadAsync(buffer, cancel).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException) { throw _failure = new SourceReadException(e); }
        return Account(buffer.Span[..n]);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            if (_read != _expected) throw Truncated();
            return 0;
        }
        _read += data.Length;
        if (_read > _expected)
            throw new SourceReadException(new IOException($"The source sent more than the {_expected} bytes it announced."));
        if (_md5 is not null)
        {
            _md5.AppendData(data);
            if (_read == _expected) _digest = _md5.GetHashAndReset();
        }
        _onBytes?.Invoke(data.Length);
        return data.Length;
    }

    private SourceReadException Truncated() =>
        new(new IOException($"The source body ended after {_read} of {_expected} bytes."));

    public override bool CanRead => true;
    // The SDK wraps part bodies in a stream that insists on a seekable base; it only asks for the
    // current position, so seeking "to where we are" works and any rewind is refused.
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _expected;
    public override long Position { get => _read; set => Seek(value, SeekOrigin.Begin); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _read + offset, _ => _expected + offset };
        // The HTTP stack rewinds to resend after a broken connection (or after the source broke
        // under it): that attempt fails, with the source's failure if there was one, and the copy
        // is retried from the source.
        return target == _read ? _read : throw _failure ?? (Exception)new IOException("The upload was interrupted and a streamed body cannot be resent; the copy is retried from the source.");
    }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _md5?.Dispose();
        base.Dispose(disposing);
    }
}
