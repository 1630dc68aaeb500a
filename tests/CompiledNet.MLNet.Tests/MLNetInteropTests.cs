using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace CompiledNet.MLNet.Tests;

// The row types of docs/onnx-and-interop.md ("Running the export in ML.NET"): the column names are the exported
// model's input and output names, the vector sizes the network's input and output sizes.
public sealed class ImageRow
{
    [ColumnName("input"), VectorType(784)]
    public float[] Pixels { get; set; } = new float[784];
}

public sealed class Scores
{
    [ColumnName("output"), VectorType(10)]
    public float[] Probabilities { get; set; } = new float[10];
}

/// <summary>
/// ML.NET's <c>ApplyOnnxModel</c> (Microsoft.ML.OnnxTransformer) runs the model <see cref="OnnxExport.Save"/> writes
/// and gives <c>Predict</c>'s outputs (max |Δ| ≤ 1e-5) on random inputs, for a dense and a convolutional network
/// trained for a few batches (so that no parameter or batch-norm statistic is at its initial value).
/// </summary>
public sealed class MLNetInteropTests : IDisposable
{
    private const double Tolerance = 1e-5;
    private const int Rows = 40;
    private readonly string _directory = Directory.CreateTempSubdirectory("cnet-mlnet-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static IEnumerable<object[]> Networks()
    {
        yield return new object[] { "dense, batch norm", (Func<ICompiledNetwork>)(() => new DenseImageNet(seed: 1)) };
        yield return new object[] { "convolution, max and average pooling", (Func<ICompiledNetwork>)(() => new ConvImageNet(seed: 2)) };
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void ApplyOnnxModelGivesPredictsOutputsForAWholeDataView(string name, Func<ICompiledNetwork> create)
    {
        var net = TrainedForAFewBatches(create(), seed: name.Length);
        string path = Export(net, name);
        var images = RandomImages(seed: 100 + name.Length);

        var mlContext = new MLContext(seed: 1);
        var rows = mlContext.Data.LoadFromEnumerable(images);
        var model = mlContext.Transforms.ApplyOnnxModel(outputColumnName: "output", inputColumnName: "input", modelFile: path).Fit(rows);
        var scores = mlContext.Data.CreateEnumerable<Scores>(model.Transform(rows), reuseRowObject: false).ToList();

        Assert.Equal(images.Count, scores.Count);
        AssertWithinTolerance(net, images, scores.Select(s => s.Probabilities).ToList(), name);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void APredictionEngineOverTheOnnxModelGivesPredictsOutputsRowByRow(string name, Func<ICompiledNetwork> create)
    {
        var net = TrainedForAFewBatches(create(), seed: name.Length);
        string path = Export(net, name);
        var images = RandomImages(seed: 200 + name.Length);

        var mlContext = new MLContext(seed: 1);
        var empty = mlContext.Data.LoadFromEnumerable(new List<ImageRow>());
        var model = mlContext.Transforms.ApplyOnnxModel(outputColumnName: "output", inputColumnName: "input", modelFile: path).Fit(empty);
        using var engine = mlContext.Model.CreatePredictionEngine<ImageRow, Scores>(model);
        var scores = images.Select(image => engine.Predict(image).Probabilities.ToArray()).ToList();

        AssertWithinTolerance(net, images, scores, name);
    }

    private static ICompiledNetwork TrainedForAFewBatches(ICompiledNetwork net, int seed)
    {
        var rng = new Random(seed);
        var xs = new float[net.BatchSize * net.InputSize];
        var labels = new int[net.BatchSize];
        for (int step = 0; step < 5; step++)
        {
            for (int j = 0; j < xs.Length; j++) xs[j] = (float)rng.NextDouble();
            for (int j = 0; j < labels.Length; j++) labels[j] = rng.Next(net.OutputSize);
            net.TrainBatch(xs, labels);
        }
        return net;
    }

    private string Export(ICompiledNetwork net, string name)
    {
        string path = Path.Combine(_directory, new string(name.Where(char.IsLetter).ToArray()) + ".onnx");
        OnnxExport.Save(net, path);
        return path;
    }

    // Pixel-like values in [0, 1), as Fashion-MNIST's pixels / 255.
    private static List<ImageRow> RandomImages(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, Rows).Select(_ => new ImageRow { Pixels = Enumerable.Range(0, 784).Select(_ => (float)rng.NextDouble()).ToArray() }).ToList();
    }

    private static void AssertWithinTolerance(ICompiledNetwork net, List<ImageRow> images, List<float[]> mlnet, string name)
    {
        var expected = new float[net.OutputSize];
        double worst = 0;
        for (int r = 0; r < images.Count; r++)
        {
            Assert.Equal(net.OutputSize, mlnet[r].Length);
            net.Predict(images[r].Pixels, expected);
            for (int k = 0; k < expected.Length; k++) worst = Math.Max(worst, Math.Abs(expected[k] - mlnet[r][k]));
        }
        Assert.True(worst <= Tolerance, $"{name}: max |Predict − ML.NET| = {worst} over {images.Count} rows");
    }
}

