using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

public class SafeTensorsTests
{
    private static T Trained<T>(T net) where T : ICompiledNetwork
    {
        var rng = new Random(3);
        var x = new float[net.BatchSize * net.InputSize];
        var labels = new int[net.BatchSize];
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            for (int i = 0; i < labels.Length; i++) labels[i] = rng.Next(net.OutputSize);
            net.TrainBatch(x, labels);
        }
        if (net is IBatchNormalized bn)
            for (int i = 0; i < bn.BatchNormStatistics.Length; i++) bn.BatchNormStatistics[i] = 0.5f + 0.01f * i;
        return net;
    }

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"compilednet-{Guid.NewGuid():N}.safetensors");

    [Fact]
    public void SavedWeightsLoadIntoAFreshNetworkThatThenPredictsTheSame()
    {
        var net = Trained(new BatchNormNet(1));
        string path = TempFile();
        try
        {
            SafeTensors.Save(net, path);
            var copy = new BatchNormNet(99);
            SafeTensors.Load(copy, path);
            Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
            Assert.Equal(net.BatchNormStatistics.ToArray(), copy.BatchNormStatistics.ToArray());
            var x = new float[] { 0.1f, -0.2f, 0.3f, 0.9f, -1f };
            var a = new float[BatchNormNet.OutputSize];
            var b = new float[BatchNormNet.OutputSize];
            net.Predict(x, a);
            copy.Predict(x, b);
            Assert.Equal(a, b);
        }
        finally { File.Delete(path); }
    }

    /// <summary>
    /// The file is read back by a few lines of Python using only its standard library (struct and json), following the
    /// format's definition, and every tensor compared with the network's weights in PyTorch's [out, in] order.
    /// </summary>
    [PythonTheory]
    [InlineData("BatchNorm")]
    [InlineData("Maxout")]
    [InlineData("NoBias")]
    [InlineData("Conv")]
    public void AnIndependentReaderSeesTheWeightsInTorchLinearOrder(string which)
    {
        ICompiledNetwork net = which switch
        {
            "BatchNorm" => Trained(new BatchNormNet(2)),
            "Maxout" => Trained(new MaxoutNet(2)),
            "Conv" => Trained(new ConvStrideNet(2)),
            _ => Trained(new NoBiasNet(2)),
        };
        string path = TempFile();
        try
        {
            SafeTensors.Save(net, path);
            const string script = """
                import json, struct, sys
                data = open(sys.argv[1], 'rb').read()
                (n,) = struct.unpack('<Q', data[:8])
                header = json.loads(data[8:8 + n])
                body = data[8 + n:]
                for name in sorted(k for k in header if k != '__metadata__'):
                    t = header[name]
                    assert t['dtype'] == 'F32', t
                    b, e = t['data_offsets']
                    values = struct.unpack('<%df' % ((e - b) // 4), body[b:e])
                    print(name, 'x'.join(map(str, t['shape'])), ' '.join(repr(v) for v in values))
                print('architecture', header['__metadata__']['architecture'])
                """;
            string output = RunPython(script, path);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains($"architecture {net.Architecture}", lines);
            var p = net.Parameters;
            var statistics = net.BatchNormStatistics;
            int checkedTensors = 0;
            if (net is IConvolutional convolutional)
                for (int k = 0; k < convolutional.FeatureLayers.Count; k++)
                {
                    // Convolution weights [out, in, kH, kW], as torch.nn.Conv2d holds them: element by element, in that order.
                    var f = convolutional.FeatureLayers[k];
                    if (f.Kind != FeatureLayerKind.Conv2D) continue;
                    var weight = Tensor(lines, $"conv{k + 1}.weight", $"{f.OutputChannels}x{f.InputChannels}x{f.KernelHeight}x{f.KernelWidth}");
                    Assert.Equal(p.Slice(f.WeightOffset!.Value, f.WeightCount).ToArray(), weight);
                    checkedTensors++;
                    if (f.BiasOffset is int biasOffset)
                    {
                        Assert.Equal(p.Slice(biasOffset, f.OutputChannels).ToArray(), Tensor(lines, $"conv{k + 1}.bias", $"{f.OutputChannels}"));
                        checkedTensors++;
                    }
                }
            for (int l = 0; l < net.Layers.Count; l++)
            {
                var layer = net.Layers[l];
                var weight = Tensor(lines, $"layer{l + 1}.weight", $"{layer.Width}x{layer.Inputs}");
                for (int o = 0; o < layer.Width; o++)
                    for (int i = 0; i < layer.Inputs; i++)
                        Assert.Equal(p[layer.WeightOffset + i * layer.Width + o], weight[o * layer.Inputs + i]);
                checkedTensors++;
                if (layer.Bias)
                {
                    Assert.Equal(p.Slice(layer.BiasOffset!.Value, layer.Width).ToArray(), Tensor(lines, $"layer{l + 1}.bias", $"{layer.Width}"));
                    checkedTensors++;
                }
                else Assert.DoesNotContain(lines, line => line.StartsWith($"layer{l + 1}.bias ", StringComparison.Ordinal));
                if (layer.BatchNorm)
                {
                    Assert.Equal(p.Slice(layer.GammaOffset!.Value, layer.Units).ToArray(), Tensor(lines, $"layer{l + 1}.gamma", $"{layer.Units}"));
                    Assert.Equal(p.Slice(layer.BetaOffset!.Value, layer.Units).ToArray(), Tensor(lines, $"layer{l + 1}.beta", $"{layer.Units}"));
                    Assert.Equal(statistics.Slice(layer.StatisticsOffset!.Value, layer.Units).ToArray(), Tensor(lines, $"layer{l + 1}.mean", $"{layer.Units}"));
                    Assert.Equal(statistics.Slice(layer.StatisticsOffset!.Value + layer.Units, layer.Units).ToArray(), Tensor(lines, $"layer{l + 1}.variance", $"{layer.Units}"));
                    checkedTensors += 4;
                }
            }
            Assert.Equal(lines.Length - 1, checkedTensors);
        }
        finally { File.Delete(path); }
    }

    internal static float[] Tensor(string[] lines, string name, string shape)
    {
        var line = lines.SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"tensor {name} not in the file: {string.Join(" | ", lines.Select(l => l.Split(' ')[0]))}");
        var parts = line.Split(' ');
        Assert.Equal(shape, parts[1]);
        return parts.Skip(2).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    internal static string RunPython(string script, string path)
    {
        string scriptPath = Path.Combine(Path.GetTempPath(), $"read-safetensors-{Guid.NewGuid():N}.py");
        File.WriteAllText(scriptPath, script);
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(scriptPath);
            start.ArgumentList.Add(path);
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "python3 failed: " + error);
            return output;
        }
        finally { File.Delete(scriptPath); }
    }

    [Fact]
    public void AFileForAnotherShapeIsRefusedWithTheTensorAndBothShapesAndChangesNothing()
    {
        var other = Trained(new MaxoutNet(1));
        string path = TempFile();
        try
        {
            SafeTensors.Save(other, path);
            var net = new BatchNormNet(5);
            var before = net.Parameters.ToArray();
            var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(net, path));
            Assert.Contains(path, e.Message);
            Assert.Contains("layer1.weight", e.Message);
            Assert.Contains("[27, 5]", e.Message);
            Assert.Contains("[9, 5]", e.Message);
            Assert.Equal(before, net.Parameters.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ATruncatedFileIsRefusedAtEveryLengthAndChangesNothing()
    {
        var net = Trained(new NoBiasNet(1));
        using var full = new MemoryStream();
        SafeTensors.Write(net, full);
        byte[] bytes = full.ToArray();
        var target = new NoBiasNet(7);
        var before = target.Parameters.ToArray();
        for (int length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(target, new MemoryStream(bytes, 0, length)));
            Assert.False(string.IsNullOrEmpty(e.Message));
            Assert.Equal(before, target.Parameters.ToArray());
        }
        SafeTensors.Read(target, new MemoryStream(bytes));
        Assert.Equal(net.Parameters.ToArray(), target.Parameters.ToArray());
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileIsRefusedBeforeAllocatingIt()
    {
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), 90_000_000UL);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new NoBiasNet(1), new MemoryStream(bytes)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 1_000_000, "the declared header size was allocated");
        Assert.Contains("90000000", e.Message);
    }

    [Fact]
    public void AConvolutionalNetworksWeightsRoundTrip()
    {
        var net = Trained(new ConvStrideNet(3));
        using var file = new MemoryStream();
        SafeTensors.Write(net, file);
        var copy = new ConvStrideNet(4);
        SafeTensors.Read(copy, new MemoryStream(file.ToArray()));
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    /// <summary>An export with its JSON header rewritten by <paramref name="edit"/> (the tensor bytes kept as they are).</summary>
    private static byte[] WithHeader(ICompiledNetwork net, Func<System.Text.Json.Nodes.JsonObject, System.Text.Json.Nodes.JsonObject> edit)
    {
        using var file = new MemoryStream();
        SafeTensors.Write(net, file);
        var bytes = file.ToArray();
        int length = (int)BitConverter.ToUInt64(bytes, 0);
        var header = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(bytes.AsSpan(8, length))!;
        var json = System.Text.Encoding.UTF8.GetBytes(edit(header).ToJsonString());
        var result = new MemoryStream();
        result.Write(BitConverter.GetBytes((ulong)json.Length));
        result.Write(json);
        result.Write(bytes, 8 + length, bytes.Length - 8 - length);
        return result.ToArray();
    }

    [Fact]
    public void AMissingTensorIsRefusedWithItsNameAndTheShapeTheNetworkNeeds()
    {
        var bytes = WithHeader(Trained(new BatchNormNet(1)), h => { h.Remove("layer2.gamma"); return h; });
        var net = new BatchNormNet(2);
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(net, new MemoryStream(bytes)));
        Assert.Contains("tensor layer2.gamma is missing", e.Message);
        Assert.Contains("F32 [17]", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void AnotherDtypeIsRefusedWithTheTensorAndBothDtypes()
    {
        var bytes = WithHeader(Trained(new NoBiasNet(1)), h => { h["layer1.weight"]!["dtype"] = "F16"; return h; });
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new NoBiasNet(2), new MemoryStream(bytes)));
        Assert.Contains("tensor layer1.weight: dtype F16, this network needs F32", e.Message);
    }

    [Fact]
    public void AFileCutInsideATensorIsRefusedWithThatTensorAndTheOffsets()
    {
        var net = Trained(new BatchNormNet(1));
        using var full = new MemoryStream();
        SafeTensors.Write(net, full);
        var bytes = full.ToArray();
        long dataStart = 8 + (long)BitConverter.ToUInt64(bytes, 0);
        // BatchNormNet's tensors in order: layer1.weight [9, 5] takes bytes 0..180 of the data, then (batch norm, no bias)
        // layer1.gamma [9] 180..216.
        int cut = (int)dataStart + 190;
        foreach (var stream in new Stream[] { new MemoryStream(bytes, 0, cut), new ForwardOnly(bytes.AsSpan(0, cut).ToArray()) })
        {
            var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new BatchNormNet(2), stream));
            Assert.Contains($"the file ends at offset {cut}, inside tensor layer1.gamma (shape [9], offsets {dataStart + 180} to {dataStart + 216})", e.Message);
        }
    }

    /// <summary>A stream that cannot seek (a network response): the reader cannot know the length in advance.</summary>
    private sealed class ForwardOnly(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>
/// A theory that needs python3 on the PATH (the independent reader is a few lines of Python with only its standard
/// library); without it the test is reported as skipped, with the reason, rather than passing unchecked.
/// </summary>
public sealed class PythonTheoryAttribute : TheoryAttribute
{
    private static readonly Lazy<string?> Missing = new(FindPython);

    public PythonTheoryAttribute()
    {
        if (Missing.Value is { } reason) Skip = reason;
    }

    private static string? FindPython()
    {
        try
        {
            var start = new ProcessStartInfo("python3", "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start);
            if (process is null) return "python3 could not be started, so the export cannot be read back by an independent reader.";
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"python3 --version exited with {process.ExitCode}, so the export cannot be read back by an independent reader.";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"python3 is not on the PATH ({e.Message}), so the export cannot be read back by an independent reader.";
        }
    }
}
