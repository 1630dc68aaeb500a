using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CompiledNet.Tests.Networks;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>Every exported model, run in ONNX Runtime, gives Predict's outputs (max |Δ| ≤ 1e-5).</summary>
public class OnnxExportTests
{
    public static IEnumerable<object[]> Networks()
    {
        yield return new object[] { "spiral (tanh, softmax)", (Func<ICompiledNetwork>)(() => new SpiralNet(1)) };
        yield return new object[] { "batch norm (tanh, relu)", (Func<ICompiledNetwork>)(() => new BatchNormNet(2)) };
        yield return new object[] { "dropout, DropConnect (sigmoid, relu)", (Func<ICompiledNetwork>)(() => new DropoutNet(3)) };
        yield return new object[] { "maxout", (Func<ICompiledNetwork>)(() => new MaxoutNet(4)) };
        yield return new object[] { "no bias, Adam", (Func<ICompiledNetwork>)(() => new NoBiasNet(5)) };
        yield return new object[] { "linear + quadratic", (Func<ICompiledNetwork>)(() => new QuadraticLinearNet(6)) };
        yield return new object[] { "log-loss sigmoid outputs", (Func<ICompiledNetwork>)(() => new LogLossNet(7)) };
        yield return new object[] { "conv: strides, rectangular kernel, padding, average pooling", (Func<ICompiledNetwork>)(() => new ConvStrideNet(8)) };
        yield return new object[] { "conv: same padding, max pooling, no bias, linear", (Func<ICompiledNetwork>)(() => new ConvMaxPoolNet(9)) };
        yield return new object[] { "conv: max pooling first", (Func<ICompiledNetwork>)(() => new PoolFirstNet(10)) };
        yield return new object[] { "conv: per-channel batch norm (tanh, sigmoid), strides, padding, max pooling", (Func<ICompiledNetwork>)(() => new ConvBnStrideNet(14)) };
        yield return new object[] { "conv: dropout, batch norm and dropout (linear)", (Func<ICompiledNetwork>)(() => new ConvDropoutNet(15)) };
        yield return new object[] { "conv: batch norm (relu, tanh), same padding, dense softmax", (Func<ICompiledNetwork>)(() => new ConvBnSplitNet(16)) };
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void OnnxRuntimeGivesPredictsOutputs(string name, Func<ICompiledNetwork> create)
    {
        var net = create();
        var rng = new Random(name.Length);
        // A few training steps so that batch-norm statistics and parameters are not at their initial values.
        int batch = net.BatchSize;
        var xs = new float[batch * net.InputSize];
        var labels = new int[batch];
        for (int step = 0; step < 5; step++)
        {
            for (int j = 0; j < xs.Length; j++) xs[j] = (float)(rng.NextDouble() * 2 - 1);
            for (int j = 0; j < batch; j++) labels[j] = rng.Next(net.OutputSize == 1 ? 2 : net.OutputSize);
            net.TrainBatch(xs, labels);
        }

        using var stream = new MemoryStream();
        OnnxExport.Write(net, stream);
        using var session = new InferenceSession(stream.ToArray());

        const int count = 7;
        var inputs = new float[count * net.InputSize];
        for (int j = 0; j < inputs.Length; j++) inputs[j] = (float)(rng.NextDouble() * 2 - 1);
        var tensor = new DenseTensor<float>(inputs, new[] { count, net.InputSize });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", tensor) });
        var onnx = results.First(r => r.Name == "output").AsEnumerable<float>().ToArray();
        Assert.Equal(count * net.OutputSize, onnx.Length);

        var y = new float[net.OutputSize];
        double worst = 0;
        for (int r = 0; r < count; r++)
        {
            net.Predict(inputs.AsSpan(r * net.InputSize, net.InputSize), y);
            for (int k = 0; k < y.Length; k++) worst = Math.Max(worst, Math.Abs(y[k] - onnx[r * net.OutputSize + k]));
        }
        Assert.True(worst <= 1e-5, $"{name}: max |Predict − ONNX Runtime| = {worst}");
    }

    [Fact]
    public void MetadataReachesOnnxRuntimesModelMetadata()
    {
        ICompiledNetwork net = new SpiralNet(1);
        using var stream = new MemoryStream();
        OnnxExport.Write(net, stream, new OnnxMetadata
        {
            ClassNames = Enumerable.Range(0, net.OutputSize).Select(k => $"class \"{k}\"").ToArray(),
            InputShape = new[] { 1, net.InputSize },
            InputScale = 1f / 255,
            Properties = new Dictionary<string, string> { ["dataset"] = "spiral" },
        });
        using var session = new InferenceSession(stream.ToArray());
        var metadata = session.ModelMetadata;
        Assert.Equal("CompiledNet", metadata.ProducerName);
        var map = metadata.CustomMetadataMap;
        Assert.Equal(net.Architecture, map["compilednet.architecture"]);
        Assert.Equal($"0x{net.Fingerprint:X16}", map["compilednet.fingerprint"]);
        var names = System.Text.Json.JsonSerializer.Deserialize<string[]>(map["class_names"]);
        Assert.Equal(Enumerable.Range(0, net.OutputSize).Select(k => $"class \"{k}\""), names);
        Assert.Equal($"[1, {net.InputSize}]", map["input_shape"]);
        Assert.Equal(1f / 255, float.Parse(map["input_scale"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("spiral", map["dataset"]);
    }

    [Fact]
    public void MetadataThatDoesNotFitTheNetworkIsRefusedWithBothCounts()
    {
        ICompiledNetwork net = new SpiralNet(1);
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.Write(net, new MemoryStream(), new OnnxMetadata { ClassNames = new[] { "a" } }));
        Assert.Contains($"{net.OutputSize} classes", e.Message);
        Assert.Contains("1 names", e.Message);
        e = Assert.Throws<ArgumentException>(() => OnnxExport.Write(net, new MemoryStream(), new OnnxMetadata { InputShape = new[] { 3, 3 } }));
        Assert.Contains("9 values", e.Message);
        Assert.Contains($"{net.InputSize} inputs", e.Message);
    }

    public static IEnumerable<object[]> StandardizedNetworks()
    {
        yield return new object[] { "spiral", (Func<ICompiledNetwork>)(() => new SpiralNet(11)) };
        yield return new object[] { "batch norm", (Func<ICompiledNetwork>)(() => new BatchNormNet(12)) };
        yield return new object[] { "conv", (Func<ICompiledNetwork>)(() => new ConvStrideNet(13)) };
    }

    /// <summary>
    /// A standardizer of raw features far from zero (means 50 + 3f, σ 10 + f, the last feature constant), exported in
    /// front of the graph: ONNX Runtime, given the raw features, gives what Predict gives for (x − mean)/σ computed in
    /// double here (x − mean for the constant feature).
    /// </summary>
    [Theory]
    [MemberData(nameof(StandardizedNetworks))]
    public void WithTheStandardizerInTheGraphOnnxRuntimeTakesRawFeatures(string name, Func<ICompiledNetwork> create)
    {
        var net = create();
        var rng = new Random(name.Length + 100);
        var xs = new float[net.BatchSize * net.InputSize];
        var labels = new int[net.BatchSize];
        for (int step = 0; step < 5; step++)
        {
            for (int j = 0; j < xs.Length; j++) xs[j] = (float)(rng.NextDouble() * 2 - 1);
            for (int j = 0; j < labels.Length; j++) labels[j] = rng.Next(net.OutputSize == 1 ? 2 : net.OutputSize);
            net.TrainBatch(xs, labels);
        }
        int n = net.InputSize;
        var mean = new float[n];
        var std = new float[n];
        for (int f = 0; f < n; f++) { mean[f] = 50 + 3 * f; std[f] = 10 + f; }
        std[n - 1] = 0;

        using var stream = new MemoryStream();
        OnnxExport.Write(net, stream, new OnnxMetadata { Standardizer = new Standardizer(mean, std) });
        using var session = new InferenceSession(stream.ToArray());

        const int count = 6;
        var raw = new float[count * n];
        for (int j = 0; j < raw.Length; j++)
        {
            int f = j % n;
            raw[j] = mean[f] + (std[f] == 0 ? 1 : std[f]) * (float)(rng.NextDouble() * 4 - 2);
        }
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(raw, new[] { count, n })) });
        var onnx = results.First(r => r.Name == "output").AsEnumerable<float>().ToArray();

        var z = new float[n];
        var y = new float[net.OutputSize];
        double worst = 0;
        for (int r = 0; r < count; r++)
        {
            for (int f = 0; f < n; f++)
            {
                double centred = (double)raw[r * n + f] - mean[f];
                z[f] = (float)(std[f] == 0 ? centred : centred / std[f]);
            }
            net.Predict(z, y);
            for (int k = 0; k < y.Length; k++) worst = Math.Max(worst, Math.Abs(y[k] - onnx[r * net.OutputSize + k]));
        }
        Assert.True(worst <= 1e-5, $"{name}: max |Predict(standardised) − ONNX Runtime(raw)| = {worst}");
    }

    [Fact]
    public void TheStandardizerIsInTheMetadataToo()
    {
        ICompiledNetwork net = new SpiralNet(1);
        var standardizer = new Standardizer(new[] { 0.1f, -2.5f }, new[] { 3f, 0f });
        using var stream = new MemoryStream();
        OnnxExport.Write(net, stream, new OnnxMetadata { Standardizer = standardizer });
        using var session = new InferenceSession(stream.ToArray());
        var map = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(new[] { 0.1f, -2.5f }, System.Text.Json.JsonSerializer.Deserialize<float[]>(map["standardizer_mean"]));
        Assert.Equal(new[] { 3f, 0f }, System.Text.Json.JsonSerializer.Deserialize<float[]>(map["standardizer_std"]));
    }

    [Fact]
    public void AStandardizerOfAnotherFeatureCountIsRefusedWithBothCounts()
    {
        ICompiledNetwork net = new SpiralNet(1);
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.Write(net, new MemoryStream(),
            new OnnxMetadata { Standardizer = new Standardizer(new float[3], new[] { 1f, 1f, 1f }) }));
        Assert.Contains("3 features", e.Message);
        Assert.Contains($"{net.InputSize} inputs", e.Message);
    }

    /// <summary>The model's producer_version (ModelProto field 3) is the package version set in the runtime's project file.</summary>
    [Fact]
    public void TheProducerVersionIsThePackageVersion()
    {
        string project = File.ReadAllText(Path.Combine(Packaging.PackageTests.RepositoryRoot(), "src", "Runtime", "CompiledNet.Runtime.csproj"));
        string version = System.Xml.Linq.XDocument.Parse(project).Descendants("Version").Single().Value;
        using var stream = new MemoryStream();
        OnnxExport.Write(new SpiralNet(1), stream);
        Assert.Equal(version, TopLevelString(stream.ToArray(), field: 3));
        Assert.NotEqual("1.0.0.0", version);
    }

    /// <summary>The first length-delimited field <paramref name="field"/> of a protobuf message, as UTF-8.</summary>
    private static string? TopLevelString(byte[] message, int field)
    {
        int i = 0;
        while (i < message.Length)
        {
            ulong key = Varint(message, ref i);
            switch ((int)(key & 7))
            {
                case 0: Varint(message, ref i); break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                case 2:
                    int length = (int)Varint(message, ref i);
                    if ((int)(key >> 3) == field) return System.Text.Encoding.UTF8.GetString(message, i, length);
                    i += length;
                    break;
                default: throw new InvalidDataException($"wire type {key & 7} at byte {i}");
            }
        }
        return null;

        static ulong Varint(byte[] bytes, ref int at)
        {
            ulong value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = bytes[at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
        }
    }
}
