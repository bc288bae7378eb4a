using System.Management.Automation;
using MinioRestore.Engine.Comparing;
using MinioRestore.Engine.Errors;

namespace MinioRestore.Tests.Unit.Comparing;

/// <summary>Which objects a run covers: wildcards, the key filter, the date window.</summary>
public sealed class ObjectFilterTests
{
    [Theory]
    [InlineData("*.gz", "logs/2024/a.gz", true)]      // * crosses '/'
    [InlineData("*.gz", "logs/a.GZ", false)]          // case-sensitive, as S3 keys are
    [InlineData("logs/*", "logs/", true)]             // * matches nothing too
    [InlineData("a", "ab", false)]                    // the whole key
    [InlineData("?b", "ab", true)]
    [InlineData("?b", "b", false)]
    [InlineData("?x", "\U0001F600x", true)]           // ? is one character, also beyond the BMP
    [InlineData("[ab]c", "bc", true)]
    [InlineData("[a-c]x", "dx", false)]
    [InlineData("[a-c]x", "cx", true)]
    [InlineData("[-a]x", "-x", true)]                 // a leading '-' is itself
    [InlineData("a.b", "axb", false)]                 // regex characters are literal
    [InlineData("(x)+$", "(x)+$", true)]
    [InlineData("`*", "*", true)]                     // a backtick escapes
    [InlineData("`*", "a", false)]
    [InlineData("[`]]", "]", true)]
    [InlineData("*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void Wildcards_match_whole_keys_case_sensitively(string pattern, string key, bool expected)
    {
        Assert.Equal(expected, KeyPattern.Parse(pattern, "-Include").IsMatch(key));
    }

    [Fact]
    public void Wildcards_agree_with_PowerShell_case_sensitive_like()
    {
        // PowerShell's own WildcardPattern, case-sensitive, is the reference for -Include/-Exclude.
        var random = new Random(11);
        string[] tokens = ["*", "?", "a", "b", "B", "/", ".", "[ab]", "[a-c]", "`*", "`?", "-"];
        const string alphabet = "abcB/.*?-";
        for (int i = 0; i < 4000; i++)
        {
            string pattern = string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => tokens[random.Next(tokens.Length)]));
            string key = new(Enumerable.Range(0, random.Next(0, 7)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            bool reference = new WildcardPattern(pattern, WildcardOptions.None).IsMatch(key);
            Assert.True(reference == KeyPattern.Parse(pattern, "-Include").IsMatch(key), $"'{pattern}' on '{key}': PowerShell says {reference}");
        }
    }

    [Theory]
    [InlineData("[abc", "no closing ']'")]
    [InlineData("[]", "names no character")]
    [InlineData("[z-a]", "runs backwards")]
    [InlineData("", "empty")]
    public void A_broken_pattern_is_an_invalid_filter_that_names_the_parameter(string pattern, string why)
    {
        var e = Assert.Throws<RestoreException>(() => KeyPattern.Parse(pattern, "-Exclude"));
        Assert.Equal(ErrorIds.InvalidFilter, e.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, e.Kind);
        Assert.Contains("-Exclude", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void The_key_filter_needs_the_prefix_an_include_and_no_exclude()
    {
        var filter = ObjectFilter.Create("logs/", ["*.gz", "*.zip"], ["*/tmp/*"]);
        Assert.True(filter.SelectsKey("logs/a.gz"));
        Assert.True(filter.SelectsKey("logs/b.zip"));
        Assert.False(filter.SelectsKey("data/a.gz"));          // prefix
        Assert.False(filter.SelectsKey("logs/a.txt"));         // no include matches
        Assert.False(filter.SelectsKey("logs/tmp/a.gz"));      // exclude wins over include
        Assert.Equal("logs/", filter.Prefix);
        Assert.Contains("not matching */tmp/*", filter.ToString());
        Assert.True(ObjectFilter.Create().IsAll);
        Assert.True(ObjectFilter.Create(prefix: "").IsAll);
        Assert.True(ObjectFilter.All.SelectsKey("anything"));
    }

    [Fact]
    public void The_date_window_is_exclusive_and_reads_unzoned_dates_as_local_time()
    {
        var newer = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var older = new DateTime(2024, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        var filter = ObjectFilter.Create(newerThan: newer, olderThan: older);
        Assert.False(filter.SelectsBackupDate(newer));
        Assert.True(filter.SelectsBackupDate(newer.AddSeconds(1)));
        Assert.False(filter.SelectsBackupDate(older));
        Assert.True(filter.SelectsBackupDate(older.AddSeconds(-1).ToLocalTime()));

        var local = new DateTime(2024, 1, 1, 12, 0, 0, DateTimeKind.Unspecified);
        var fromLocal = ObjectFilter.Create(newerThan: local);
        Assert.Equal(DateTime.SpecifyKind(local, DateTimeKind.Local).ToUniversalTime(), fromLocal.NewerThan);
    }

    [Fact]
    public void NewerThan_not_before_OlderThan_is_refused()
    {
        var day = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc);
        var e = Assert.Throws<RestoreException>(() => ObjectFilter.Create(newerThan: day.AddDays(1), olderThan: day));
        Assert.Equal(ErrorIds.InvalidFilter, e.ErrorId);
        Assert.Contains("-NewerThan", e.Message);
        Assert.Contains("-OlderThan", e.Message);
        Assert.Throws<RestoreException>(() => ObjectFilter.Create(newerThan: day, olderThan: day));
    }
}
