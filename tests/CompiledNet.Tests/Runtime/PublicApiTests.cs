using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>
/// The public surface a user programs against, written as a user would (no internals, no CompilerServices), and the
/// rules of its layout: what only generated code calls is outside the namespace users browse, and the names that
/// clashed with other libraries are gone.
/// </summary>
public class PublicApiTests
{
    private static Dataset TwoBlobs(int n, int seed)
    {
        var rng = new Random(seed);
        var features = new float[n * 2];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            features[2 * i] = (labels[i] == 0 ? -1f : 1f) + (float)(rng.NextDouble() - 0.5);
            features[2 * i + 1] = (float)(rng.NextDouble() * 2 - 1);
        }
        return new Dataset(features, 2, labels, 2);
    }

    [Fact]
    public void TrainingReportsTestAndValidationMetricsUnderTheirOwnNames()
    {
        var test = TwoBlobs(40, 2);
        var validation = TwoBlobs(30, 3);
        var reports = new List<EpochReport>();
        long seed = 5_000_000_000L;   // generated constructors take the same long seed as TrainingOptions.Seed
        var net = new SpiralNet(seed);
        var result = Trainer.Train(net, TwoBlobs(64, 1), new TrainingOptions { Epochs = 3, Seed = seed, TestData = test, ValidationData = validation },
            new SynchronousProgress<EpochReport>(reports.Add));

        Assert.Equal(result.Epochs, reports);
        ClassificationMetrics onTest = Evaluator.Evaluate(net, test);
        ClassificationMetrics onValidation = Evaluator.Evaluate(net, validation);
        Assert.Equal((double?)onTest.Accuracy, reports[^1].TestAccuracy);
        Assert.Equal((double?)onTest.MeanLoss, reports[^1].TestLoss);
        Assert.Equal((double?)onValidation.Accuracy, reports[^1].ValidationAccuracy);
        Assert.Equal((double?)onValidation.MeanLoss, reports[^1].ValidationLoss);
        Assert.Equal(40, onTest.Count);
    }

    [Fact]
    public void SynchronousProgressCallsItsHandlerOnTheReportingThread()
    {
        int thread = -1;
        var progress = new SynchronousProgress<int>(_ => thread = Environment.CurrentManagedThreadId);
        progress.Report(1);
        Assert.Equal(Environment.CurrentManagedThreadId, thread);
        Assert.Throws<ArgumentNullException>(() => new SynchronousProgress<int>(null!));
    }

    [Fact]
    public void ACheckpointSavedOutsideTheTrainingLoopHasNoEpoch()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cnet-api-{Guid.NewGuid():N}.ckpt");
        try
        {
            ICompiledNetwork net = new SpiralNet(1);
            Checkpoint.Save(net, path);
            CheckpointInfo info = Checkpoint.ReadInfo(path);
            Assert.Null(info.Epoch);
            Assert.Null(info.ShuffleState);
            Assert.Equal(net.Fingerprint, info.Fingerprint);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LayerDescriptionsSayNullForASegmentTheLayerDoesNotHave()
    {
        ICompiledNetwork plain = new SpiralNet(1);
        LayerDescription first = plain.Layers[0];
        Assert.Equal(64, first.BiasOffset);          // W is 32 × 2 at 0, the biases follow
        Assert.Null(first.GammaOffset);
        Assert.Null(first.BetaOffset);
        Assert.Null(first.StatisticsOffset);

        ICompiledNetwork normalised = new BatchNormNet(1);
        Assert.Contains(normalised.Layers, l => l.BatchNorm && l.BiasOffset is null && l.GammaOffset is not null && l.StatisticsOffset is not null);
    }

    [Fact]
    public void ClipByNormScalesTheGradientToTheNormAndLeavesASmallerOneAlone()
    {
        float[] g = { 3f, 4f };   // norm 5
        GradientClipping.ClipByNorm(g, 1f);
        Assert.Equal(0.6f, g[0], 6);
        Assert.Equal(0.8f, g[1], 6);
        float[] small = { 0.3f, 0.4f };
        GradientClipping.ClipByNorm(small, 1f);
        Assert.Equal(new[] { 0.3f, 0.4f }, small);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByNorm(g, 0f));
        Assert.Equal("maxNorm", e.ParamName);
    }

    [Theory]
    [InlineData("Kernels")]
    [InlineData("WorkerPool")]
    [InlineData("TrainingWorkers")]
    [InlineData("IParallelStep")]
    [InlineData("IParallelRows")]
    [InlineData("IInspectable")]      // WinRT's root interface
    [InlineData("ICheckpointable")]   // merged into ICompiledNetwork
    [InlineData("Progress")]          // clashed with Spectre.Console.Progress and sat beside System.Progress<T>
    [InlineData("Evaluation")]        // the metrics are ClassificationMetrics; the data set is TrainingOptions.TestData
    public void TheUsersNamespaceHasNoTypeNamed(string name)
    {
        Assert.Null(typeof(INetwork).Assembly.GetType("CompiledNet." + name));
    }

    [Fact]
    public void WhatOnlyGeneratedCodeCallsLivesInCompilerServices()
    {
        var assembly = typeof(INetwork).Assembly;
        var hidden = assembly.GetExportedTypes()
            .Where(t => t.GetCustomAttribute<System.ComponentModel.EditorBrowsableAttribute>()?.State == System.ComponentModel.EditorBrowsableState.Never)
            .Select(t => t.FullName)
            .ToArray();
        Assert.NotEmpty(hidden);
        Assert.All(hidden, name => Assert.StartsWith("CompiledNet.CompilerServices.", name));
        Assert.Equal(
            new[] { "AlignedBuffer", "Gemm", "GemmActivation", "IParallelRows", "IParallelStep", "Kernels", "Winograd", "WorkerPool" },
            assembly.GetExportedTypes().Where(t => t.Namespace == "CompiledNet.CompilerServices").Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(typeof(EpochReport))]
    [InlineData(typeof(LayerDescription))]
    [InlineData(typeof(CheckpointInfo))]
    [InlineData(typeof(TrainingResult))]
    [InlineData(typeof(HealthReport))]
    [InlineData(typeof(LayerHealth))]
    [InlineData(typeof(ClassificationMetrics))]
    public void RecordsThatMayGrowHaveOnlyAParameterlessConstructor(Type type)
    {
        // Init-only properties: a field added later does not change a constructor's signature.
        Assert.All(type.GetConstructors(), c => Assert.True(c.GetParameters().Length == 0 || c.GetParameters()[0].ParameterType == type,
            $"{type.Name} has a public constructor with {c.GetParameters().Length} parameters"));
        Assert.Null(type.GetMethod("Deconstruct"));
    }
}
