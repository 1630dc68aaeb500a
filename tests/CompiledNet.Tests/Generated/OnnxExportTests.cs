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
}
