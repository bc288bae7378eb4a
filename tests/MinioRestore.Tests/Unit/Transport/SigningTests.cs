using MinioRestore.Engine.Transport;

namespace MinioRestore.Tests.Unit.Transport;

/// <summary>Header values as servers hash them when they check a SigV4 signature (Transport/RequestSigner.cs).</summary>
public sealed class SigningTests
{
    // Header values as sent: one char per byte (Latin-1), so UTF-8 text shows as its bytes.
    private const string Utf8Nbsp = "\u00C2\u00A0", Utf8UUmlaut = "\u00C3\u00BC";

    [Theory]
    [InlineData("  value1  ", "value1")]
    [InlineData("\"a   b   c\"", "\"a b c\"")] // aws-sig-v4-test-suite get-header-value-trim
    [InlineData("tab\there", "tab\there")]
    [InlineData("tabs\t\tkept", "tabs\t\tkept")]
    [InlineData("z" + Utf8UUmlaut + "rich", "z" + Utf8UUmlaut + "rich")]
    public void The_SigV4_rule_trims_and_collapses_runs_of_spaces(string sent, string hashed) =>
        Assert.Equal(hashed, RequestSigner.CanonicalValue(sent, allWhitespace: false));

    [Theory]
    [InlineData("  value1  ", "value1")]
    [InlineData("\"a   b   c\"", "\"a b c\"")]
    [InlineData("tab\there", "tab here")]
    [InlineData("mixed \t \t run", "mixed run")]
    [InlineData("nbsp" + Utf8Nbsp + "here", "nbsp here")]              // U+00A0 is white space to MinIO (Go's unicode.IsSpace)
    [InlineData("lone\u00A0byte", "lone\u00A0byte")]                   // a lone A0 byte is not UTF-8: no space
    [InlineData("z" + Utf8UUmlaut + "rich", "z" + Utf8UUmlaut + "rich")]
    [InlineData("ideographic\u00E3\u0080\u0080space", "ideographic space")] // U+3000 as UTF-8 bytes E3 80 80
    public void MinIO_s_rule_collapses_every_run_of_Unicode_white_space_in_the_UTF8_the_bytes_spell(string sent, string hashed) =>
        Assert.Equal(hashed, RequestSigner.CanonicalValue(sent, allWhitespace: true));

    [Fact]
    public void Only_requests_whose_values_hash_differently_under_the_two_rules_need_the_server_known()
    {
        using var plain = new HttpRequestMessage(HttpMethod.Put, "http://h/b/k");
        plain.Headers.TryAddWithoutValidation("x-amz-meta-a", "two  spaces");
        using var tabbed = new HttpRequestMessage(HttpMethod.Put, "http://h/b/k");
        tabbed.Headers.TryAddWithoutValidation("x-amz-meta-a", "a\tb");
        Assert.False(RequestSigner.DependsOnWhitespaceRule(plain));
        Assert.True(RequestSigner.DependsOnWhitespaceRule(tabbed));
    }
}
