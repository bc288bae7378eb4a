namespace MinioRestore.Engine.Copying;

/// <summary>Layouts with parts of any length, as a server that answers <c>?partNumber=N</c> tells them.</summary>
internal readonly partial record struct PartLayout
{
    /// <summary>Start of each part and, last, the object's size; null for a uniform layout.</summary>
    private readonly long[]? _offsets;

    private PartLayout(long[] offsets) : this(offsets[^1], offsets[1] - offsets[0], offsets.Length - 1) => _offsets = offsets;

    /// <summary>The layout of parts of exactly these lengths, in order.</summary>
    public static PartLayout Exact(IReadOnlyList<long> lengths)
    {
        if (lengths.Count == 0) throw new ArgumentException("A layout has at least one part.", nameof(lengths));
        var offsets = new long[lengths.Count + 1];
        for (int i = 0; i < lengths.Count; i++) offsets[i + 1] = offsets[i] + lengths[i];
        return new PartLayout(offsets);
    }

    /// <summary>True when every part but the last has the first part's length.</summary>
    public bool IsUniform => _offsets is null;

    public override string ToString() => IsUniform ? $"{Count} parts of {PartSize} bytes" : $"{Count} parts of unequal lengths";
}
