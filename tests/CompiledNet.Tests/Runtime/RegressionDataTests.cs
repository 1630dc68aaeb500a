using System;
using System.Linq;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>Regression data sets in memory: what they hold, what they refuse, and what keeps their targets.</summary>
public class RegressionDataTests
{
    // Four examples of two features and two targets: example i has features (i, 10 + i) and targets (100 + i, −i).
    private static Dataset Four() => Dataset.ForRegression(
        [0, 10, 1, 11, 2, 12, 3, 13], 2,
        [100, 0, 101, -1, 102, -2, 103, -3], 2);

    [Fact]
    public void ForRegressionExposesTargetsPerExample()
    {
        var data = Four();
        Assert.True(data.IsRegression);
        Assert.Equal(4, data.Count);
        Assert.Equal(2, data.TargetSize);
        Assert.Equal(0, data.ClassCount);
        Assert.Equal(new float[] { 102, -2 }, data.Targets(2).ToArray());
        Assert.Equal(8, data.AllTargets.Length);
    }

    [Fact]
    public void ClassificationDataIsNotRegression()
    {
        var data = new Dataset([1, 2], 1, [0, 1], 2);
        Assert.False(data.IsRegression);
        Assert.Equal(0, data.TargetSize);
        var ex = Assert.Throws<InvalidOperationException>(() => data.Targets(0).ToArray());
        Assert.Contains("class labels, not regression targets", ex.Message);
    }

    [Fact]
    public void LabelsOfRegressionDataThrowNamingTheTargets()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Four().Labels.ToArray());
        Assert.Contains("regression targets (2 per example)", ex.Message);
    }

    [Fact]
    public void NonFiniteTargetIsRefusedNamingExampleAndTarget()
    {
        var ex = Assert.Throws<ArgumentException>(() => Dataset.ForRegression([1, 2, 3], 1, [0, 1, float.NaN, 5, 6, 7], 2));
        Assert.Contains("targets[2] (example 1, target 0) is NaN", ex.Message);
        Assert.Equal("targets", ex.ParamName);
    }

    [Fact]
    public void RowCountsOfFeaturesAndTargetsMustAgree()
    {
        var ex = Assert.Throws<ArgumentException>(() => Dataset.ForRegression([1, 2, 3], 1, [0, 1], 1));
        Assert.Contains("expected 2 (2 target rows × 1 features)", ex.Message);
    }

    [Fact]
    public void SliceKeepsTheTargetsOfItsExamples()
    {
        var slice = Four().Slice(1, 2);
        Assert.Equal(new float[] { 101, -1, 102, -2 }, slice.AllTargets.ToArray());
        Assert.Equal(new float[] { 1, 11, 2, 12 }, slice.AllFeatures.ToArray());
    }

    [Fact]
    public void SplitPartitionsTheExamplesWithTheirTargets()
    {
        var data = Dataset.ForRegression(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), 1,
            Enumerable.Range(0, 20).Select(i => 2f * i).ToArray());
        var (train, validation) = data.Split(0.25, seed: 3);
        Assert.Equal(5, validation.Count);
        Assert.Equal(15, train.Count);
        var all = train.AllFeatures.ToArray().Concat(validation.AllFeatures.ToArray()).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (float)i), all);
        foreach (var part in new[] { train, validation })
            for (int i = 0; i < part.Count; i++) Assert.Equal(2 * part.Features(i)[0], part.Targets(i)[0]);
    }

    [Fact]
    public void StratifiedSplitRefusesRegressionData()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Four().StratifiedSplit(0.5, 1));
        Assert.Contains("use Split", ex.Message);
    }

    [Fact]
    public void ClassBalancedBatchesRefuseRegressionData()
    {
        var ex = Assert.Throws<ArgumentException>(() => BatchingStrategy.ClassBalanced().CreateSampler(Four(), 2));
        Assert.Contains("Class-balanced batches need class labels, but this is regression data", ex.Message);
    }

    [Fact]
    public void StandardizeScalesFeaturesAndKeepsTargets()
    {
        var data = Four();
        var standardized = data.Standardize(Standardizer.Fit(data));
        // Feature 0 is 0, 1, 2, 3: mean 1.5, population sd √1.25.
        Assert.Equal((0 - 1.5) / Math.Sqrt(1.25), standardized.Features(0)[0], 5);
        Assert.Equal((3 - 1.5) / Math.Sqrt(1.25), standardized.Features(3)[0], 5);
        Assert.Equal(data.AllTargets.ToArray(), standardized.AllTargets.ToArray());
        Assert.Equal(new float[] { 0, 10 }, data.Features(0).ToArray()); // the original is unchanged
    }

    [Fact]
    public void WithFeaturesKeepsTheLabelsAndChecksTheLength()
    {
        var data = new Dataset([1, 2, 3, 4], 2, [1, 0], 2);
        var other = data.WithFeatures([5, 6, 7, 8]);
        Assert.Equal(new[] { 1, 0 }, other.Labels.ToArray());
        Assert.Equal(new float[] { 7, 8 }, other.Features(1).ToArray());
        var ex = Assert.Throws<ArgumentException>(() => data.WithFeatures([1, 2, 3]));
        Assert.Contains("expected 4 (2 examples × 2 features)", ex.Message);
    }
}
