using System;
using System.IO;
using Xunit;

namespace CompiledNet.Tests.Runtime;

public class DatasetTests
{
    [Fact]
    public void FeatureCountMustMatchLabelsTimesFeatureSize()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Dataset(new float[10], 4, new int[3], 2));
        Assert.Contains("has 10 values; expected 12", ex.Message);
    }

    [Fact]
    public void LabelOutsideTheClassesIsRejectedWithItsIndex()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[6], 2, new[] { 0, 3, 1 }, 3));
        Assert.Contains("labels[1] is 3", ex.Message);
    }

    [Fact]
    public void FeaturesAndLabelsAreRowsOfTheGivenArrays()
    {
        var data = new Dataset(new float[] { 1, 2, 3, 4, 5, 6 }, 2, new[] { 0, 1, 1 }, 2);
        Assert.Equal(new float[] { 5, 6 }, data.Features(2).ToArray());
        Assert.Equal(1, data.Label(1));
        var slice = data.Slice(1, 2);
        Assert.Equal(new float[] { 3, 4 }, slice.Features(0).ToArray());
        Assert.Equal(2, slice.Count);
    }

    [Fact]
    public void FromIdxRejectsMismatchedCountsNamingBothFiles()
    {
        var dir = Directory.CreateTempSubdirectory("cnet-ds-").FullName;
        try
        {
            string images = Path.Combine(dir, "images"), labels = Path.Combine(dir, "labels");
            IdxFile.Write(images, new IdxArray(new[] { 3, 2, 2 }, new byte[12]));
            IdxFile.Write(labels, new IdxArray(new[] { 4 }, new byte[4]));
            var ex = Assert.Throws<InvalidDataException>(() => Dataset.FromIdx(images, labels));
            Assert.Contains($"{images} holds 3 examples but {labels} holds 4 labels", ex.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FromIdxScalesPixelsAndFlattensImages()
    {
        var dir = Directory.CreateTempSubdirectory("cnet-ds-").FullName;
        try
        {
            string images = Path.Combine(dir, "images.gz"), labels = Path.Combine(dir, "labels");
            IdxFile.Write(images, new IdxArray(new[] { 2, 2, 2 }, new byte[] { 0, 51, 102, 255, 255, 0, 0, 0 }), gzip: true);
            IdxFile.Write(labels, new IdxArray(new[] { 2 }, new byte[] { 4, 1 }));
            var data = Dataset.FromIdx(images, labels);
            Assert.Equal(4, data.FeatureSize);
            Assert.Equal(5, data.ClassCount);
            Assert.Equal(0.2f, data.Features(0)[1], 6);
            Assert.Equal(4, data.Label(0));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FashionMnistMissingDirectoryNamesItAndThePackage()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load("/nonexistent/fashion"));
        Assert.Contains("/nonexistent/fashion", ex.Message);
        Assert.Contains("dataset-fashion-mnist", ex.Message);
    }
}
