using System;
using System.Linq;
using Xunit;

namespace CompiledNet.Tests.Generated;

public class StandardizerTests
{
    [Fact]
    public void FittedOnTrainingDataGivesZeroMeanUnitVariance_AndAppliesTheSameShiftToTestData()
    {
        var rng = new Random(1);
        var features = new float[500 * 3];
        for (int i = 0; i < 500; i++)
        {
            features[i * 3] = (float)(rng.NextDouble() * 10 + 5);   // mean 10, sd 10/√12
            features[i * 3 + 1] = (float)(rng.NextDouble() - 3);   // mean −2.5
            features[i * 3 + 2] = 7f;                             // constant
        }
        var train = new Dataset(features, 3, new int[500], 1);
        var standardizer = Standardizer.Fit(train);
        var standardized = standardizer.Apply(train);
        for (int f = 0; f < 2; f++)
        {
            double mean = 0, squares = 0;
            for (int i = 0; i < 500; i++) { double v = standardized.Features(i)[f]; mean += v; squares += v * v; }
            mean /= 500;
            Assert.Equal(0, mean, 4);
            Assert.Equal(1, squares / 500 - mean * mean, 3);
        }
        Assert.Equal(0f, standardizer.StandardDeviation[2]);
        Assert.Equal(0f, standardized.Features(0)[2]); // a constant feature is only centred
        Assert.Equal(features[0], train.Features(0)[0]); // the original is unchanged

        var test = new float[] { 10f, -2.5f, 7f };
        standardizer.Apply(test);
        Assert.Equal((10 - standardizer.Mean[0]) / standardizer.StandardDeviation[0], test[0], 5);
    }

    [Fact]
    public void WrongFeatureCountIsRejected()
    {
        var standardizer = Standardizer.Fit(new Dataset(new float[] { 1, 2, 3, 4 }, 2, new int[2], 1));
        var ex = Assert.Throws<ArgumentException>(() => standardizer.Apply(new float[3]));
        Assert.Contains("has 3 values; expected 2", ex.Message);
    }

    [Fact]
    public void ASavedMeanAndDeviationStandardiseAsTheFittedOneDid_ConstantFeatureIncluded()
    {
        var features = new float[] { 1, 5, 7, 3, 9, 7, -2, 4, 7, 0.5f, 6, 7 };
        var fitted = Standardizer.Fit(new Dataset(features, 3, new int[4], 1));
        Assert.Equal(0f, fitted.StandardDeviation[2]);
        var restored = new Standardizer(fitted.Mean.ToArray(), fitted.StandardDeviation.ToArray());
        Assert.Equal(3, restored.FeatureSize);
        Assert.Equal(fitted.Mean.ToArray(), restored.Mean.ToArray());
        Assert.Equal(fitted.StandardDeviation.ToArray(), restored.StandardDeviation.ToArray());
        var x = new float[] { 2.5f, -1f, 8f };
        var expected = new float[] { (2.5f - fitted.Mean[0]) / fitted.StandardDeviation[0], (-1f - fitted.Mean[1]) / fitted.StandardDeviation[1], 8f - 7f };
        restored.Apply(x);
        for (int f = 0; f < 3; f++) Assert.Equal(expected[f], x[f], 5);
    }

    [Fact]
    public void ASavedStandardizerCopiesItsInput()
    {
        var mean = new float[] { 1, 2 };
        var std = new float[] { 3, 4 };
        var standardizer = new Standardizer(mean, std);
        mean[0] = 100;
        std[0] = 100;
        Assert.Equal(1f, standardizer.Mean[0]);
        Assert.Equal(3f, standardizer.StandardDeviation[0]);
    }

    [Fact]
    public void SavedStatisticsOfDifferentLengthsAreRefusedWithBothLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => new Standardizer(new float[3], new float[] { 1, 1 }));
        Assert.Equal("standardDeviation", e.ParamName);
        Assert.Contains("standardDeviation has 2 values but mean has 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Standardizer(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty));
        Assert.Contains("mean is empty", e.Message);
    }

    [Theory]
    [InlineData(-0.5f, "-0.5")]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(1e-45f, "1E-45")]
    public void AStandardDeviationThatCannotScaleIsRefusedWithItsIndexAndValue(float bad, string shown)
    {
        var e = Assert.Throws<ArgumentException>(() => new Standardizer(new float[] { 0, 0, 0 }, new float[] { 1, 2, bad }));
        Assert.Equal("standardDeviation", e.ParamName);
        Assert.Contains($"standardDeviation[2] is {shown}", e.Message);
    }

    [Fact]
    public void ANonFiniteMeanIsRefusedWithItsIndexAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => new Standardizer(new float[] { 0, float.NegativeInfinity }, new float[] { 1, 1 }));
        Assert.Equal("mean", e.ParamName);
        Assert.Contains("mean[1] is -Infinity", e.Message);
    }

    [Fact]
    public void ApplyToADatasetKeepsTheImageSize_SoAugmentationStillWorksOnIt()
    {
        var rng = new Random(4);
        var pixels = new float[5 * 4 * 6];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)rng.NextDouble();
        var images = new Dataset(pixels, 24, new int[5], 1).WithImageSize(4, 6);
        var standardized = Standardizer.Fit(images).Apply(images);
        Assert.Equal(4, standardized.ImageHeight);
        Assert.Equal(6, standardized.ImageWidth);
        var augmenter = new ImageAugmentation { MaxShift = 1 }.CreateAugmenter(standardized);
        Assert.Equal(24, augmenter.PixelCount);
    }

    [Fact]
    public void ApplyToADatasetWithoutAnImageSizeGivesNone()
    {
        var data = new Dataset(new float[] { 1, 2, 3, 5 }, 2, new int[2], 1);
        var standardized = Standardizer.Fit(data).Apply(data);
        Assert.Equal(0, standardized.ImageHeight);
        Assert.Equal(0, standardized.ImageWidth);
    }
}
