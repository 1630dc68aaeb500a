using System;
using System.IO;
using System.IO.Compression;
using System.Text;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>Regression data from CSV: target columns by name or index, feature and target file pairs, and the errors.</summary>
public sealed class RegressionCsvTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-csvreg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text, string name = "data.csv")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static readonly CsvOptions Tabular = new() { Scale = 1 };

    [Fact]
    public void TargetNamesPickTheTargetColumnsInTheirOrder()
    {
        var data = Dataset.FromCsv(Write("a,y2,b,y1\n1,20,2,10\n3,40,4,30\n"), Tabular with { TargetNames = ["y1", "y2"] });
        Assert.True(data.IsRegression);
        Assert.Equal(2, data.FeatureSize);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, data.AllFeatures.ToArray());
        Assert.Equal(new float[] { 10, 20, 30, 40 }, data.AllTargets.ToArray());
    }

    [Fact]
    public void TargetColumnsWorkWithoutAHeader()
    {
        var data = Dataset.FromCsv(Write("1.5,2,-0.25\n3,4,1e3\n"), Tabular with { TargetColumns = [2] });
        Assert.Equal(new float[] { -0.25f, 1000 }, data.AllTargets.ToArray());
        Assert.Equal(new float[] { 1.5f, 2, 3, 4 }, data.AllFeatures.ToArray());
    }

    [Fact]
    public void ScaleAppliesToFeaturesOnly()
    {
        var data = Dataset.FromCsv(Write("x,y\n10,10\n"), new CsvOptions { Scale = 0.5f, TargetNames = ["y"] });
        Assert.Equal(5, data.Features(0)[0]);
        Assert.Equal(10, data.Targets(0)[0]);
    }

    [Fact]
    public void MissingTargetNameIsAnErrorNamingFileAndName()
    {
        string path = Write("a,b,price\n1,2,3\n");
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(path, Tabular with { TargetNames = ["cost"] }));
        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains("no column named \"cost\" (CsvOptions.TargetNames[0]; the header is a, b, price)", ex.Message);
    }

    [Fact]
    public void NonNumericTargetIsAnErrorNamingRowAndColumn()
    {
        string path = Write("a,y\n1,2\n3,n/a\n");
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(path, Tabular with { TargetNames = ["y"] }));
        Assert.Equal($"{path}: row 3, column 2 (\"y\"): \"n/a\" is not a number.", ex.Message);
    }

    [Fact]
    public void TargetColumnBeyondTheRowIsAnError()
    {
        string path = Write("1,2\n");
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(path, Tabular with { TargetColumns = [5] }));
        Assert.Contains("CsvOptions.TargetColumns[0] is column 5 (0-based), but row 1 has 2 columns", ex.Message);
    }

    [Fact]
    public void TargetNamesNeedAHeader()
    {
        string path = Write("1,2\n");
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(path, Tabular with { TargetNames = ["y"], HasHeader = false }));
        Assert.Contains("has no header (HasHeader is false); use TargetColumns", ex.Message);
    }

    [Fact]
    public void TargetsAndALabelColumnTogetherAreRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => Dataset.FromCsv(Write("1,2\n"), Tabular with { TargetColumns = [1], LabelColumn = 0 }));
        Assert.Contains("has no label column", ex.Message);
    }

    [Fact]
    public void AllColumnsTargetsLeavesNoFeatureAndIsRefused()
    {
        string path = Write("y\n1\n");
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromCsv(path, Tabular with { TargetNames = ["y"] }));
        Assert.Contains("every one of the 1 columns is a target", ex.Message);
    }

    [Fact]
    public void FeatureAndTargetFilesPairRowForRow()
    {
        string x = Write("1 2\n3 4\n5 6\n", "x.csv");
        string yPath = Path.Combine(_dir, "y.csv.gz");
        using (var gz = new GZipStream(File.Create(yPath), CompressionLevel.Optimal))
            gz.Write(Encoding.UTF8.GetBytes("1.0e+01\n2.0e+01\n3.0e+01\n"));
        var data = Dataset.FromCsvFiles(x, yPath, Tabular with { Separator = ' ' });
        Assert.Equal(2, data.FeatureSize);
        Assert.Equal(1, data.TargetSize);
        Assert.Equal(new float[] { 10, 20, 30 }, data.AllTargets.ToArray());
        Assert.Equal(new float[] { 5, 6 }, data.Features(2).ToArray());
    }

    [Fact]
    public void FeatureAndTargetFilesOfDifferentLengthsAreAnErrorNamingBoth()
    {
        string x = Write("1\n2\n3\n", "x.csv");
        string y = Write("1\n2\n", "y.csv");
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromCsvFiles(x, y, Tabular));
        Assert.Equal($"{x} has 3 data rows but {y} has 2; the two files must hold the same examples, row for row.", ex.Message);
    }

    [Fact]
    public void BadValueInTheTargetsFileNamesThatFile()
    {
        string x = Write("1\n2\n", "x.csv");
        string y = Write("1\nabc\n", "y.csv");
        var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromCsvFiles(x, y, Tabular));
        Assert.Equal($"{y}: row 2, column 1: \"abc\" is not a number.", ex.Message);
    }
}
