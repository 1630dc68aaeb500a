using System;
using System.IO;
using System.Runtime.InteropServices;

namespace CompiledNet.Bench;

/// <summary>
/// Network B trained for one epoch (seed 1, one thread), written once per run as a checkpoint (for CompiledNet's
/// inference benchmarks) and as the ONNX model <see cref="OnnxExport.Save"/> makes of it (for ONNX Runtime's), with
/// CompiledNet's outputs for the first test row (<c>Predict</c>) and the first 1,024 test rows (<c>PredictBatch</c>):
/// both peers run the same trained weights, and ONNX Runtime's outputs are checked against these before timing.
/// </summary>
public static class TrainedB
{
    public const int Rows = 1024;
    private static string? _directory;

    /// <summary>
    /// The directory of the files; made (training included, a few seconds) on first use unless the environment
    /// variable CNET_BENCH_MODEL_DIR names one made earlier in this run (the ONNX Runtime child process).
    /// </summary>
    public static string Directory => _directory ??= Environment.GetEnvironmentVariable("CNET_BENCH_MODEL_DIR") ?? Prepare();

    public static string CheckpointPath => Path.Combine(Directory, "b.cnet");
    public static string OnnxPath => Path.Combine(Directory, "b.onnx");
    public static string ExpectedOnePath => Path.Combine(Directory, "b.predict1.f32");
    public static string ExpectedBatchPath => Path.Combine(Directory, "b.predict1024.f32");

    /// <summary>A fresh NetB with the trained weights.</summary>
    public static NetB Load()
    {
        var net = new NetB(1);
        Checkpoint.Load(net, CheckpointPath);
        return net;
    }

    /// <summary>The first <paramref name="rows"/> test rows (the inputs of every inference benchmark).</summary>
    public static float[] Inputs(int rows) => BenchData.Test.AllFeatures.Slice(0, rows * 784).ToArray();

    public static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    /// <summary>Deletes the files of this run (the parent process calls it at the end).</summary>
    public static void Delete()
    {
        if (_directory is not null && Environment.GetEnvironmentVariable("CNET_BENCH_MODEL_DIR") is null && System.IO.Directory.Exists(_directory))
            System.IO.Directory.Delete(_directory, recursive: true);
    }

    private static string Prepare()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"compilednet-bench-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(dir);
        var net = new NetB(1) { TrainingThreads = 1 };
        new EpochTrainer<NetB>(net, BenchData.Train, 1).RunEpoch();
        Checkpoint.Save(net, Path.Combine(dir, "b.cnet"));
        OnnxExport.Save(net, Path.Combine(dir, "b.onnx"));
        var x = Inputs(Rows);
        var one = new float[10];
        net.Predict(x.AsSpan(0, 784), one);
        var many = new float[Rows * 10];
        net.InferenceThreads = 1;
        net.PredictBatch(x, many);
        File.WriteAllBytes(Path.Combine(dir, "b.predict1.f32"), MemoryMarshal.AsBytes(one.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(dir, "b.predict1024.f32"), MemoryMarshal.AsBytes(many.AsSpan()).ToArray());
        return dir;
    }
}
