using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>What the CSV reader detects in damaged files, and what it says.</summary>
public sealed class CsvReliabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-csvrel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Text = "label,a,b\n1,22,333\n0,4,55\n2,606,7\n";

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Write(string text, string name = "data.csv") => Write(name, Encoding.UTF8.GetBytes(text));

    private static byte[] Gzip(byte[] plain)
    {
        var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(plain);
        return memory.ToArray();
    }

    private static InvalidDataException Refused(string path, CsvOptions? options = null)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(path, options));
        Assert.StartsWith(path + ": ", ex.Message);
        return ex;
    }

    [Fact]
    public void EveryCutOfAPlainFileNotAtALineEndIsReportedAsTruncated()
    {
        var bytes = Encoding.UTF8.GetBytes(Text);
        for (int length = 1; length < bytes.Length; length++)
        {
            if (bytes[length - 1] == '\n') continue; // a cut right after a line break: see the next test
            var ex = Refused(Write("cut.csv", bytes[..length]));
            Assert.Contains("truncated", ex.Message);
        }
    }

    [Fact]
    public void ACutAtALineEndIsFoundOnlyByTheExpectedRowCount()
    {
        // Cut after the second data row: a complete-looking file of 2 rows, which no reader can tell apart.
        string path = Write(Text[..Text.IndexOf("2,606", StringComparison.Ordinal)]);
        Assert.Equal(2, Dataset.FromCsv(path).Count);
        var ex = Refused(path, new CsvOptions { ExpectedRows = 3 });
        Assert.Contains("the file is truncated: it has 2 data rows (the last is row 3); CsvOptions.ExpectedRows is 3.", ex.Message);
    }

    [Fact]
    public void ACutInTheLastNumberIsRefusedAndTheMessageOffersTheOption()
    {
        string path = Write(Text.TrimEnd('\n'), "cut.csv"); // ends "2,606,7" with no line break
        var ex = Refused(path);
        Assert.Contains("its last row, 4, does not end with one (it ends \"2,606,7\")", ex.Message);
        Assert.Contains("CsvOptions.RequireFinalNewline = false", ex.Message);
        Assert.Equal(3, Dataset.FromCsv(path, new CsvOptions { RequireFinalNewline = false }).Count);
    }

    [Fact]
    public void WithoutTheFinalLineBreakRequirementAShortLastRowIsStillReportedAsTruncated()
    {
        var ex = Refused(Write("label,a,b\n1,22,333\n0,4"), new CsvOptions { RequireFinalNewline = false });
        Assert.Contains("the file is truncated: its last row, 3, ends after 2 of the 3 columns", ex.Message);
    }

    [Fact]
    public void AShortRowThatIsNotLastIsAColumnCountError()
    {
        var ex = Refused(Write("label,a,b\n1,22\n0,4,5\n"));
        Assert.Contains("row 2 has 2 columns; the header has 3", ex.Message);
        Assert.DoesNotContain("truncated", ex.Message);
    }

    [Fact]
    public void EveryCutOfAGzipFileIsRefused()
    {
        var bytes = Gzip(Encoding.UTF8.GetBytes(Text));
        for (int length = 0; length < bytes.Length; length++)
        {
            var ex = Refused(Write("cut.csv.gz", bytes[..length]));
            Assert.True(ex.Message.Contains("truncated") || ex.Message.Contains("the file is empty"), ex.Message);
        }
    }

    [Fact]
    public void AGzipFileMissingOnlyItsTrailerIsRefused()
    {
        var bytes = Gzip(Encoding.UTF8.GetBytes(Text));
        var ex = Refused(Write("notrailer.csv.gz", bytes[..^8]));
        Assert.Contains("the gzip file is truncated or corrupt", ex.Message);
    }

    [Fact]
    public void RandomByteFlipsOfAGzipFileAreRefusedOrChangeNothing()
    {
        var plain = Encoding.UTF8.GetBytes(Text);
        var bytes = Gzip(plain);
        var expected = Dataset.FromCsv(Write("plain.csv", plain));
        var rng = new Random(9);
        for (int trial = 0; trial < 2000; trial++)
        {
            var copy = (byte[])bytes.Clone();
            copy[rng.Next(copy.Length)] ^= (byte)rng.Next(1, 256);
            string path = Write("flip.csv.gz", copy);
            try
            {
                var data = Dataset.FromCsv(path);
                Assert.Equal(expected.AllFeatures.ToArray(), data.AllFeatures.ToArray());
                Assert.Equal(expected.Labels.ToArray(), data.Labels.ToArray());
            }
            catch (InvalidDataException ex)
            {
                Assert.StartsWith(path + ": ", ex.Message);
            }
        }
    }

    [Fact]
    public void RandomByteFlipsOfAPlainFileAreRefusedOrReadAsOtherValuesOfTheSameShape()
    {
        // Plain CSV has no checksum: a digit turned into another digit is a valid file. Anything else is refused,
        // and nothing but InvalidDataException comes out.
        var bytes = Encoding.UTF8.GetBytes(Text);
        var rng = new Random(10);
        for (int trial = 0; trial < 2000; trial++)
        {
            var copy = (byte[])bytes.Clone();
            copy[rng.Next(copy.Length)] ^= (byte)rng.Next(1, 256);
            string path = Write("flip.csv", copy);
            try
            {
                var data = Dataset.FromCsv(path);
                Assert.Equal((3, 2), (data.Count, data.FeatureSize));
            }
            catch (InvalidDataException ex)
            {
                Assert.StartsWith(path + ": ", ex.Message);
            }
        }
    }

    [Fact]
    public void AQuotedFieldMayHoldTheSeparatorAndEscapedQuotes()
    {
        var data = Dataset.FromCsv(Write("label,\"pixel, \"\"first\"\"\",b\n1,\"2\",3\n"), new CsvOptions { Scale = 1f });
        Assert.Equal(new[] { 2f, 3f }, data.Features(0).ToArray());
    }

    [Fact]
    public void AQuotedNumberWithTheSeparatorInsideIsNamedWhole()
    {
        var ex = Refused(Write("label,a,b\n1,\"2,5\",3\n"));
        Assert.Contains("row 2, column 2 (\"a\"): \"2,5\" is not a number", ex.Message);
    }

    [Fact]
    public void AQuotedFieldWithoutItsClosingQuoteIsNamed()
    {
        var ex = Refused(Write("label,a,b\n1,\"2,3\n0,1,1\n"));
        Assert.Contains("row 2, column 2 (\"a\"): the quoted field \"\"2,3\" has no closing quote on its line", ex.Message);
    }

    [Fact]
    public void TheLargestIntegerAsALabelIsRefusedWithFileRowAndColumn()
    {
        var ex = Refused(Write("label,a\n0,1\n2147483647,1\n"));
        Assert.Contains("row 3, column 1 (\"label\"): the label \"2147483647\" is not a class index", ex.Message);
    }

    [Fact]
    public void AFiniteValueThatScaleMakesInfiniteIsRefused()
    {
        var ex = Refused(Write("label,a\n0,1\n1,3e38\n"), new CsvOptions { Scale = 10f });
        Assert.Contains("row 3, column 2 (\"a\"): 3e38 times the scale 10 is ", ex.Message);
        Assert.EndsWith("not a finite number.", ex.Message);
    }
}
