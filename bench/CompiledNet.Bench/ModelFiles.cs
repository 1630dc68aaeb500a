using System;
using System.IO;
using System.Runtime.InteropServices;

namespace CompiledNet.Bench;

/// <summary>
/// The directory the full run shares with its ONNX Runtime child process: per network, the ONNX model
/// <see cref="OnnxExport.Save"/> wrote and CompiledNet's outputs for the first test rows, which ONNX Runtime's outputs
/// are checked against before anything is timed.
/// </summary>
public static class ModelFiles
{
    private static string? _directory;

    /// <summary>
    /// The directory: made on first use (the parent process) unless the environment variable CNET_BENCH_MODEL_DIR names
    /// one made earlier in this run (the ONNX Runtime child process).
    /// </summary>
    public static string Directory => _directory ??= Inherited ?? Create();

    /// <summary>The directory named by CNET_BENCH_MODEL_DIR, when this process is the child that reads the files.</summary>
    public static string? Inherited => Environment.GetEnvironmentVariable("CNET_BENCH_MODEL_DIR");

    /// <summary>The file name of the ONNX model of <paramref name="network"/> ("b", "d").</summary>
    public static string OnnxFile(string network) => $"{network}.onnx";

    /// <summary>The file name of CompiledNet's outputs for the first <paramref name="rows"/> test rows (<c>Predict</c> for one row).</summary>
    public static string ExpectedFile(string network, int rows) => $"{network}.predict{rows}.f32";

    /// <summary>The first <paramref name="rows"/> test rows (the inputs of every inference benchmark).</summary>
    public static float[] Inputs(int rows) => BenchData.Test.AllFeatures.Slice(0, rows * 784).ToArray();

    public static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    /// <summary>
    /// Writes <paramref name="net"/> into <see cref="Directory"/> as <see cref="OnnxFile"/>, and its outputs for the
    /// first test row (<c>Predict</c>) and, when <paramref name="batchRows"/> is above 1, for the first
    /// <paramref name="batchRows"/> rows (<c>PredictBatch</c> on one thread) as <see cref="ExpectedFile"/>.
    /// </summary>
    public static void Export(ICompiledNetwork net, string network, int batchRows = 1)
    {
        OnnxExport.Save(net, Path.Combine(Directory, OnnxFile(network)));
        var x = Inputs(batchRows);
        var one = new float[net.OutputSize];
        net.Predict(x.AsSpan(0, net.InputSize), one);
        Write(Path.Combine(Directory, ExpectedFile(network, 1)), one);
        if (batchRows > 1)
        {
            var many = new float[batchRows * net.OutputSize];
            net.InferenceThreads = 1;
            net.PredictBatch(x, many);
            Write(Path.Combine(Directory, ExpectedFile(network, batchRows)), many);
        }
    }

    /// <summary>Deletes the directory of this run (the parent process calls it at the end; the child leaves it).</summary>
    public static void Delete()
    {
        if (_directory is not null && Inherited is null && System.IO.Directory.Exists(_directory))
            System.IO.Directory.Delete(_directory, recursive: true);
    }

    private static void Write(string path, float[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static string Create()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"compilednet-bench-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>
/// Network D with its initial weights (seed 1), the weights of every D inference benchmark, exported once per run for
/// ONNX Runtime with CompiledNet's <c>Predict</c> outputs for the first test row.
/// </summary>
public static class InitialD
{
    private static readonly Lazy<string> Files = new(() =>
    {
        if (ModelFiles.Inherited is null) ModelFiles.Export(Create(), "d");
        return ModelFiles.Directory;
    });

    /// <summary>The model directory, with D's files written (on first use, in the parent process).</summary>
    public static string Directory => Files.Value;

    public static string OnnxPath => Path.Combine(Directory, ModelFiles.OnnxFile("d"));
    public static string ExpectedOnePath => Path.Combine(Directory, ModelFiles.ExpectedFile("d", 1));

    /// <summary>A fresh NetD with the initial weights of seed 1.</summary>
    public static NetD Create() => new(1);
}
