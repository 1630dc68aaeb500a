using System;
using System.IO;
using System.Linq;
using System.Text;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>The standardizer saved with a network in its checkpoint, and files written before checkpoints could hold one.</summary>
public sealed class CheckpointStandardizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-ckptstd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A standardizer for SpiralNet's inputs with one constant feature (σ = 0) when there are several.</summary>
    private static Standardizer SpiralStandardizer()
    {
        var mean = new float[SpiralNet.InputSize];
        var std = new float[SpiralNet.InputSize];
        for (int f = 0; f < mean.Length; f++) { mean[f] = 0.25f * f - 1.5f; std[f] = 0.5f + f; }
        std[^1] = 0f;
        return new Standardizer(mean, std);
    }

    [Fact]
    public void AStandardizerSavedWithTheNetworkComesBackOnLoad()
    {
        var source = new SpiralNet(1);
        var standardizer = SpiralStandardizer();
        string path = PathOf("with.ckpt");
        Checkpoint.Save(source, path, standardizer);

        var net = new SpiralNet(2);
        var info = Checkpoint.Load(net, path);
        Assert.Equal(source.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(3, info.FormatVersion);
        Assert.NotNull(info.Standardizer);
        Assert.Equal(standardizer.Mean.ToArray(), info.Standardizer!.Mean.ToArray());
        Assert.Equal(standardizer.StandardDeviation.ToArray(), info.Standardizer.StandardDeviation.ToArray());
        Assert.Equal(standardizer.Mean.ToArray(), Checkpoint.ReadInfo(path).Standardizer!.Mean.ToArray());
    }

    /// <summary>Eight two-feature examples of two classes, on SpiralNet's input.</summary>
    private static Dataset TwoClasses()
    {
        var features = new float[16];
        var labels = new int[8];
        for (int i = 0; i < 8; i++) { features[2 * i] = i; features[2 * i + 1] = 10 - i; labels[i] = i % 2; }
        return new Dataset(features, 2, labels, 2);
    }

    [Fact]
    public void TheTrainerWritesTheStandardizerOfItsOptionsIntoEveryCheckpoint()
    {
        var data = TwoClasses();
        var standardizer = Standardizer.Fit(data);
        string path = PathOf("trained.ckpt");
        Trainer.Train(new SpiralNet(1), data.Standardize(standardizer),
            new TrainingOptions { Epochs = 2, CheckpointPath = path, Standardizer = standardizer });

        var saved = Checkpoint.ReadInfo(path).Standardizer;
        Assert.NotNull(saved);
        Assert.Equal(standardizer.Mean.ToArray(), saved!.Mean.ToArray());
        Assert.Equal(standardizer.StandardDeviation.ToArray(), saved.StandardDeviation.ToArray());
    }

    [Fact]
    public void TheTrainerRefusesAStandardizerOfAnotherFeatureCount()
    {
        var data = TwoClasses();
        var threeFeatures = new Standardizer(new float[3], new float[] { 1, 1, 1 });
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(new SpiralNet(1), data,
            new TrainingOptions { Epochs = 1, Standardizer = threeFeatures }));
        Assert.Contains("3 features", e.Message);
        Assert.Contains("2 inputs", e.Message);
    }

    [Fact]
    public void AStandardizerWrittenToAStreamComesBackFromIt()
    {
        var standardizer = SpiralStandardizer();
        using var stream = new MemoryStream();
        Checkpoint.Write(new SpiralNet(1), stream, standardizer);
        stream.Position = 0;
        var info = Checkpoint.Read(new SpiralNet(2), stream);
        Assert.Equal(standardizer.StandardDeviation.ToArray(), info.Standardizer!.StandardDeviation.ToArray());
    }

    [Fact]
    public void ACheckpointSavedWithoutAStandardizerHasNone()
    {
        string path = PathOf("without.ckpt");
        Checkpoint.Save(new SpiralNet(1), path);
        Assert.Null(Checkpoint.Load(new SpiralNet(2), path).Standardizer);
        Assert.Null(Checkpoint.ReadInfo(path).Standardizer);
    }

    [Fact]
    public void AStandardizerOfAnotherFeatureCountIsRefusedOnSaveWithBothCounts()
    {
        var wrong = new Standardizer(new float[SpiralNet.InputSize + 1], Enumerable.Repeat(1f, SpiralNet.InputSize + 1).ToArray());
        string path = PathOf("wrong.ckpt");
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(new SpiralNet(1), path, wrong));
        Assert.Contains($"{SpiralNet.InputSize + 1} features", e.Message);
        Assert.Contains($"{SpiralNet.InputSize} inputs", e.Message);
        Assert.False(File.Exists(path));
    }

    /// <summary>
    /// A file in format version 2, the format of every checkpoint written before standardizers were saved, laid out
    /// by hand as <c>Checkpoint.Write</c> of that version wrote it: no loop state, no shuffle state.
    /// </summary>
    private static byte[] VersionTwo(ICompiledNetwork net)
    {
        var architecture = Encoding.UTF8.GetBytes(net.Architecture);
        var stream = new MemoryStream();
        var w = new BinaryWriter(stream);
        w.Write("CNETCKPT"u8);
        w.Write(2);
        w.Write(net.Fingerprint);
        w.Write(architecture.Length);
        w.Write(architecture);
        w.Write(net.Step);
        w.Write(-1);                                       // no epoch
        w.Write(net.LearningRate);
        if (net.MaskGeneratorState is RngState m)
        {
            w.Write((byte)1); w.Write(m.S0); w.Write(m.S1); w.Write(m.S2); w.Write(m.S3); w.Write(m.Spare); w.Write((byte)(m.HasSpare ? 1 : 0));
        }
        else { w.Write((byte)0); w.Write(new byte[21]); }
        w.Write((byte)0); w.Write(new byte[21]);           // no shuffle state
        w.Write((byte)0);                                  // no loop state
        w.Write(net.Parameters.Length); w.Write(net.OptimizerState.Length); w.Write(net.BatchNormStatistics.Length);
        foreach (float v in net.Parameters) w.Write(v);
        foreach (float v in net.OptimizerState) w.Write(v);
        foreach (float v in net.BatchNormStatistics) w.Write(v);
        w.Flush();
        ulong hash = 14695981039346656037UL;
        foreach (byte b in stream.ToArray()) { hash ^= b; hash *= 1099511628211UL; }
        w.Write(hash);
        w.Flush();
        return stream.ToArray();
    }

    [Fact]
    public void AVersionTwoFileStillLoadsWithoutAStandardizer()
    {
        var source = new BatchNormNet(3) { LearningRate = 0.042f };
        var x = new float[BatchNormNet.BatchSize * BatchNormNet.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Sin(i);
        source.TrainBatch(x, new int[BatchNormNet.BatchSize]);
        string path = PathOf("v2.ckpt");
        File.WriteAllBytes(path, VersionTwo(source));

        var net = new BatchNormNet(4);
        var info = Checkpoint.Load(net, path);
        Assert.Equal(2, info.FormatVersion);
        Assert.Null(info.Standardizer);
        Assert.Equal(source.Step, info.Step);
        Assert.Equal(0.042f, net.LearningRate);
        Assert.Equal(source.Parameters.ToArray(), net.Parameters.ToArray());
        Assert.Equal(source.OptimizerState.ToArray(), net.OptimizerState.ToArray());
        Assert.Equal(source.BatchNormStatistics.ToArray(), net.BatchNormStatistics.ToArray());
    }

    [Fact]
    public void AStoredStandardizerThatIsInvalidIsRefusedWithItsOffsetIndexAndValue()
    {
        var standardizer = SpiralStandardizer();
        using var stream = new MemoryStream();
        Checkpoint.Write(new SpiralNet(1), stream, standardizer);
        var bytes = stream.ToArray();
        int features = SpiralNet.InputSize;
        int standardizerOffset = bytes.Length - 8 - 8 * features;
        // The first standard deviation becomes −1; the checksum is recomputed, so only the value is wrong.
        BitConverter.TryWriteBytes(bytes.AsSpan(standardizerOffset + 4 * features), -1f);
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes.AsSpan(0, bytes.Length - 8)) { hash ^= b; hash *= 1099511628211UL; }
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8), hash);

        var net = new SpiralNet(2);
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Read(net, new MemoryStream(bytes)));
        Assert.Contains($"standardizer at byte {standardizerOffset}", e.Message);
        Assert.Contains("standardDeviation[0] is -1", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }
}
