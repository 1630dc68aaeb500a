using System;
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
}
