using System;
using System.IO;

namespace CompiledNet.Bench;

/// <summary>
/// Network B trained for one epoch (seed 1, one thread), written once per run into <see cref="ModelFiles.Directory"/>
/// as a checkpoint (for CompiledNet's inference benchmarks) and as the ONNX model <see cref="OnnxExport.Save"/> makes of
/// it (for ONNX Runtime's), with CompiledNet's outputs for the first test row (<c>Predict</c>) and the first 1,024 test
/// rows (<c>PredictBatch</c>): both peers run the same trained weights, and ONNX Runtime's outputs are checked against
/// these before timing.
/// </summary>
public static class TrainedB
{
    public const int Rows = 1024;
    private static readonly Lazy<string> Files = new(() =>
    {
        if (ModelFiles.Inherited is null) Prepare();
        return ModelFiles.Directory;
    });

    /// <summary>
    /// The model directory with B's files in it: training included (a few seconds) on first use, unless this is the
    /// ONNX Runtime child process, which reads the files the parent wrote.
    /// </summary>
    public static string Directory => Files.Value;

    public static string CheckpointPath => Path.Combine(Directory, "b.cnet");
    public static string OnnxPath => Path.Combine(Directory, ModelFiles.OnnxFile("b"));
    public static string ExpectedOnePath => Path.Combine(Directory, ModelFiles.ExpectedFile("b", 1));
    public static string ExpectedBatchPath => Path.Combine(Directory, ModelFiles.ExpectedFile("b", Rows));

    /// <summary>A fresh NetB with the trained weights.</summary>
    public static NetB Load()
    {
        var net = new NetB(1);
        Checkpoint.Load(net, CheckpointPath);
        return net;
    }

    /// <summary>The first <paramref name="rows"/> test rows (the inputs of every inference benchmark).</summary>
    public static float[] Inputs(int rows) => ModelFiles.Inputs(rows);

    private static void Prepare()
    {
        var net = new NetB(1) { TrainingThreads = 1 };
        new EpochTrainer<NetB>(net, BenchData.Train, 1).RunEpoch();
        Checkpoint.Save(net, Path.Combine(ModelFiles.Directory, "b.cnet"));
        ModelFiles.Export(net, "b", Rows);
    }
}
