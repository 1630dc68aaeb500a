using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace CompiledNet.Tests.Runtime;

public sealed class CsvTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text, string name = "data.csv")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void AssertBad(string path, string problem, CsvOptions? options = null)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(path, options));
        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void ReadsAnMnistStyleFileWithHeader()
    {
        var path = Write("label,pixel1,pixel2,pixel3,pixel4\n3,0,255,51,102\n1,255,0,0,0\r\n\n");
        var data = Dataset.FromCsv(path, new CsvOptions { ImageHeight = 2, ImageWidth = 2 });
        Assert.Equal(2, data.Count);
        Assert.Equal(4, data.FeatureSize);
        Assert.Equal(4, data.ClassCount);
        Assert.Equal(new[] { 3, 1 }, data.Labels.ToArray());
        Assert.Equal(new[] { 0f, 1f, 0.2f, 0.4f }, data.Features(0).ToArray().Select(v => MathF.Round(v, 6)));
        Assert.Equal((2, 2), (data.ImageHeight, data.ImageWidth));
    }

    [Fact]
    public void ReadsAFileWithoutHeaderTheLabelLastDecimalsAndQuotes()
    {
        var path = Write("0.5, \"1e-1\" ,2\n-1.25,3,0\n");
        var data = Dataset.FromCsv(path, new CsvOptions { LabelColumn = 2, Scale = 1f, ClassCount = 5 });
        Assert.Equal(new[] { 2, 0 }, data.Labels.ToArray());
        Assert.Equal(new[] { 0.5f, 0.1f }, data.Features(0).ToArray());
        Assert.Equal(new[] { -1.25f, 3f }, data.Features(1).ToArray());
        Assert.Equal(5, data.ClassCount);
    }

    [Fact]
    public void GzipIsRecognisedByContent()
    {
        string path = Path.Combine(_dir, "data.csv");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gz.Write("label,a\n1,255\n"u8);
        Assert.Equal(1f, Dataset.FromCsv(path).Features(0)[0]);
    }

    [Fact]
    public void ANonNumericPixelNamesRowColumnAndText()
        => AssertBad(Write("label,p1,p2\n1,0,0\n2,7,x9\n"), "row 3, column 3 (\"p2\"): \"x9\" is not a number");

    [Fact]
    public void ANonFiniteValueIsRejected()
        => AssertBad(Write("1,NaN\n"), "row 1, column 2: \"NaN\" is not a finite number");

    [Fact]
    public void AnEmptyFieldIsRejected()
        => AssertBad(Write("label,p1,p2\n1,,3\n"), "row 2, column 2 (\"p1\"): the field is empty");

    [Fact]
    public void TooFewColumnsAreRejected()
        => AssertBad(Write("label,p1,p2\n1,2,3\n1,2\n"), "row 3 has 2 columns; the header has 3");

    [Fact]
    public void TooManyColumnsAreRejected()
        => AssertBad(Write("1,2,3\n1,2,3,4\n"), "row 2 has more than the 3 columns of row 1");

    [Fact]
    public void AFractionalLabelIsRejected()
        => AssertBad(Write("label,p\n1.5,3\n"), "row 2, column 1 (\"label\"): the label \"1.5\" is not a class index");

    [Fact]
    public void ANegativeLabelIsRejected()
        => AssertBad(Write("-1,3\n"), "row 1, column 1: the label \"-1\" is not a class index");

    [Fact]
    public void ANonNumericLabelIsRejected()
        => AssertBad(Write("label,p\nshirt,3\n"), "row 2, column 1 (\"label\"): the label \"shirt\" is not a number");

    [Fact]
    public void ALabelOutsideTheClassCountIsRejected()
        => AssertBad(Write("label,p\n3,0\n10,0\n"), "row 3, column 1 (\"label\"): the label 10 is outside the 10 classes [0, 10)", new CsvOptions { ClassCount = 10 });

    [Fact]
    public void AMissingLabelColumnNameIsRejected()
        => AssertBad(Write("class,p1\n3,0\n"), "the header has no column named \"label\" (it starts with class, p1)");

    [Fact]
    public void ABlankLineBetweenRowsIsRejected()
        => AssertBad(Write("label,p\n1,0\n\n2,0\n"), "row 3 is empty, but data follows in row 4");

    [Fact]
    public void AnEmptyFileIsRejected()
        => AssertBad(Write(""), "the file is empty");

    [Fact]
    public void AHeaderWithoutRowsIsRejected()
        => AssertBad(Write("label,p1,p2\n"), "a header but no data rows");

    [Fact]
    public void ASingleColumnIsRejected()
        => AssertBad(Write("1\n2\n"), "row 1 has 1 column");

    [Fact]
    public void AnImageSizeThatDoesNotFitIsRejected()
        => AssertBad(Write("label,a,b,c\n1,0,0,0\n"), "images of 2 × 2 pixels need 4 feature columns, but the rows have 3", new CsvOptions { ImageHeight = 2, ImageWidth = 2 });

    [Fact]
    public void AMissingFileNamesThePath()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => Dataset.FromCsv(Path.Combine(_dir, "none.csv")));
        Assert.Contains("none.csv", ex.Message);
    }
}

public sealed class DataSetFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void IdxLabelsOutsideTheClassCountNameTheFileAndIndex()
    {
        string images = Path.Combine(_dir, "images"), labels = Path.Combine(_dir, "labels");
        IdxFile.Write(images, new IdxArray(new[] { 3, 2, 2 }, new byte[12]));
        IdxFile.Write(labels, new IdxArray(new[] { 3 }, new byte[] { 1, 12, 0 }));
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels, classCount: 10));
        Assert.Contains($"{labels}: label 1 (at byte 9) is 12; expected a class in [0, 10)", ex.Message);
    }

    [Fact]
    public void IdxLabelsThatAreNotWholeNumbersNameTheFile()
    {
        string images = Path.Combine(_dir, "images"), labels = Path.Combine(_dir, "labels");
        IdxFile.Write(images, new IdxArray(new[] { 2, 2 }, new byte[4]));
        IdxFile.Write(labels, new IdxArray(new[] { 2 }, IdxType.Double, new[] { 1.0, 0.5 }));
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels));
        Assert.Contains($"{labels}: a label is not a class index", ex.Message);
    }

    [Fact]
    public void IdxLabelsWithTwoDimensionsAndImagesWithOneAreRejected()
    {
        string images = Path.Combine(_dir, "images"), labels = Path.Combine(_dir, "labels");
        IdxFile.Write(images, new IdxArray(new[] { 2, 2 }, new byte[4]));
        IdxFile.Write(labels, new IdxArray(new[] { 2, 1 }, new byte[2]));
        Assert.Contains("expected 1 dimension", Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels)).Message);
        IdxFile.Write(images, new IdxArray(new[] { 4 }, new byte[4]));
        Assert.Contains("expected at least 2 dimensions", Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels)).Message);
    }

    [Fact]
    public void IdxImagesCarryTheirSize()
    {
        string images = Path.Combine(_dir, "images"), labels = Path.Combine(_dir, "labels");
        IdxFile.Write(images, new IdxArray(new[] { 2, 3, 4 }, new byte[24]));
        IdxFile.Write(labels, new IdxArray(new[] { 2 }, new byte[] { 0, 1 }));
        var data = Dataset.FromIdx(images, labels);
        Assert.Equal((3, 4), (data.ImageHeight, data.ImageWidth));
        Assert.Equal((3, 4), (data.Take(1).ImageHeight, data.Take(1).ImageWidth));
    }
}

public class StratifiedSplitTests
{
    [Fact]
    public void EachClassGivesItsShareAndThePartsAreDisjointAndComplete()
    {
        var data = BatchingTests.WithClassSizes(90, 10, 40);
        var (train, validation) = data.StratifiedSplit(0.2, seed: 3);
        Assert.Equal(new[] { 18, 2, 8 }, Enumerable.Range(0, 3).Select(c => validation.Labels.ToArray().Count(l => l == c)));
        Assert.Equal(new[] { 72, 8, 32 }, Enumerable.Range(0, 3).Select(c => train.Labels.ToArray().Count(l => l == c)));
        var all = train.AllFeatures.ToArray().Concat(validation.AllFeatures.ToArray()).OrderBy(v => v);
        Assert.Equal(Enumerable.Range(0, 140).Select(i => (float)i), all);
        Assert.Equal(3, validation.ClassCount);
        // Both parts keep the original order; labels travel with their features.
        Assert.True(train.AllFeatures.ToArray().SequenceEqual(train.AllFeatures.ToArray().OrderBy(v => v)));
        for (int i = 0; i < validation.Count; i++) Assert.Equal(data.Label((int)validation.Features(i)[0]), validation.Label(i));
    }

    [Fact]
    public void TheSameSeedGivesTheSameSplitAndAnotherSeedAnother()
    {
        var data = BatchingTests.WithClassSizes(50, 50);
        Assert.Equal(data.StratifiedSplit(0.1, 1).Validation.AllFeatures.ToArray(), data.StratifiedSplit(0.1, 1).Validation.AllFeatures.ToArray());
        Assert.NotEqual(data.StratifiedSplit(0.1, 1).Validation.AllFeatures.ToArray(), data.StratifiedSplit(0.1, 2).Validation.AllFeatures.ToArray());
    }

    [Fact]
    public void ImageSizeIsKeptAndBadSharesAreRejected()
    {
        var data = BatchingTests.Images(20, 4, 5, 3, seed: 1);
        var (train, validation) = data.StratifiedSplit(0.25, 1);
        Assert.Equal((4, 5), (train.ImageHeight, train.ImageWidth));
        Assert.Equal((4, 5), (validation.ImageHeight, validation.ImageWidth));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.StratifiedSplit(1.0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.StratifiedSplit(0, 1));
    }
}
