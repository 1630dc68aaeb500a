using System;
using System.Collections.Generic;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace CompiledNet.Bench;

/// <summary>
/// ONNX Runtime running a model <see cref="OnnxExport.Save"/> wrote, the way a user after the lowest latency would:
/// <c>GraphOptimizationLevel.ORT_ENABLE_ALL</c>, <c>IntraOpNumThreads</c> 1 or 2, sequential execution, inputs and
/// outputs pre-allocated once with <c>OrtValue.CreateTensorValueFromMemory</c> and run through
/// <c>session.Run(RunOptions, names, values, names, values)</c> (no tensor allocated per call).
/// Runs only in a child process of its own (<c>--onnx-peer</c>): ONNX Runtime's pool threads spin after each run and
/// would take the second core from whatever is measured next in the same process.
/// </summary>
public sealed class OnnxSession : IDisposable
{
    /// <summary>Largest difference allowed between ONNX Runtime's outputs and CompiledNet's before anything is timed.</summary>
    public const float Tolerance = 1e-5f;

    private static readonly string[] InputNames = { "input" }, OutputNames = { "output" };
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly List<OrtValue> _tensors = new();

    public OnnxSession(string modelPath, int threads)
    {
        _options = Options(threads);
        _session = new InferenceSession(modelPath, _options);
    }

    /// <summary>The settings, as the tables state them.</summary>
    public static SessionOptions Options(int threads) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = threads,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    };

    /// <summary>
    /// A tensor of <paramref name="rows"/> rows over <paramref name="values"/> (the model's input or output shape,
    /// [rows, values / rows]), made once and disposed with the session; as the one-element array <see cref="Run"/> takes.
    /// </summary>
    public OrtValue[] Tensor(float[] values, int rows)
    {
        var tensor = OrtValue.CreateTensorValueFromMemory(values, new long[] { rows, values.Length / rows });
        _tensors.Add(tensor);
        return new[] { tensor };
    }

    /// <summary>One inference, the model's "input" to its "output", into the pre-allocated output tensor.</summary>
    public void Run(OrtValue[] input, OrtValue[] output) => _session.Run(_run, InputNames, input, OutputNames, output);

    /// <summary>Throws unless every output is within <see cref="Tolerance"/> of CompiledNet's.</summary>
    public static void Check(float[] actual, float[] expected, string what)
    {
        if (actual.Length != expected.Length)
            throw new InvalidOperationException($"ONNX Runtime, {what}: {actual.Length} outputs, CompiledNet wrote {expected.Length}.");
        for (int i = 0; i < actual.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= Tolerance))
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"ONNX Runtime, {what}: output {i} (row {i / 10}, class {i % 10}) is {actual[i]:R}, CompiledNet's is {expected[i]:R}: differs by more than {Tolerance}; nothing timed."));
    }

    public void Dispose()
    {
        foreach (var tensor in _tensors) tensor.Dispose();
        _run.Dispose();
        _session.Dispose();
        _options.Dispose();
    }
}

/// <summary>ONNX Runtime on the trained B (<see cref="TrainedB"/>): one row and 1,024 rows.</summary>
[Config(typeof(LatencyConfig))]
public class OnnxRuntimePredict
{
    [Params(1, 2)] public int Threads = 1;
    private OnnxSession _session = null!;
    private readonly float[] _one = new float[10], _many = new float[TrainedB.Rows * 10];
    private OrtValue[] _inOne = null!, _outOne = null!, _inMany = null!, _outMany = null!;

    [GlobalSetup]
    public void Setup()
    {
        _session = new OnnxSession(TrainedB.OnnxPath, Threads);
        var inputs = TrainedB.Inputs(TrainedB.Rows);
        _inOne = _session.Tensor(inputs.AsSpan(0, 784).ToArray(), 1);
        _outOne = _session.Tensor(_one, 1);
        _inMany = _session.Tensor(inputs, TrainedB.Rows);
        _outMany = _session.Tensor(_many, TrainedB.Rows);
        BatchOneB();
        Batch1024B();
        OnnxSession.Check(_one, ModelFiles.ReadFloats(TrainedB.ExpectedOnePath), "B, batch 1");
        OnnxSession.Check(_many, ModelFiles.ReadFloats(TrainedB.ExpectedBatchPath), $"B, batch {TrainedB.Rows}");
    }

    [GlobalCleanup] public void Cleanup() => _session.Dispose();

    [Benchmark]
    public float BatchOneB() { _session.Run(_inOne, _outOne); return _one[0]; }

    [Benchmark(OperationsPerInvoke = TrainedB.Rows)]
    public float Batch1024B() { _session.Run(_inMany, _outMany); return _many[0]; }
}

/// <summary>
/// ONNX Runtime on D with its initial weights (<see cref="InitialD"/>), one row: the model takes rows of 784 features and
/// reshapes them to 1×28×28 images itself, as <see cref="OnnxExport"/> writes it.
/// </summary>
[Config(typeof(LatencyConfig))]
public class OnnxRuntimePredictD
{
    [Params(1, 2)] public int Threads = 1;
    private OnnxSession _session = null!;
    private readonly float[] _one = new float[10];
    private OrtValue[] _input = null!, _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _session = new OnnxSession(InitialD.OnnxPath, Threads);
        _input = _session.Tensor(ModelFiles.Inputs(1), 1);
        _output = _session.Tensor(_one, 1);
        BatchOneD();
        OnnxSession.Check(_one, ModelFiles.ReadFloats(InitialD.ExpectedOnePath), "D, batch 1");
    }

    [GlobalCleanup] public void Cleanup() => _session.Dispose();

    [Benchmark]
    public float BatchOneD() { _session.Run(_input, _output); return _one[0]; }
}
