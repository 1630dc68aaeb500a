using System;
using System.Collections.Generic;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace CompiledNet.Bench;

/// <summary>
/// ONNX Runtime running the model <see cref="OnnxExport.Save"/> wrote from the trained B, the way a user after the
/// lowest latency would: <c>GraphOptimizationLevel.ORT_ENABLE_ALL</c>, <c>IntraOpNumThreads</c> 1 or 2, sequential
/// execution, inputs and outputs pre-allocated once with <c>OrtValue.CreateTensorValueFromMemory</c> and run through
/// <c>session.Run(RunOptions, names, values, names, values)</c> (no tensor allocated per call).
/// Runs only in a child process of its own (<c>--onnx-peer</c>): ONNX Runtime's pool threads spin after each run and
/// would take the second core from whatever is measured next in the same process.
/// </summary>
[Config(typeof(LatencyConfig))]
public class OnnxRuntimePredict
{
    /// <summary>Largest difference allowed between ONNX Runtime's outputs and CompiledNet's before anything is timed.</summary>
    public const float Tolerance = 1e-5f;

    [Params(1, 2)] public int Threads = 1;
    private InferenceSession _session = null!;
    private SessionOptions _options = null!;
    private RunOptions _run = null!;
    private float[] _inputs = null!, _one = null!, _many = null!;
    private OrtValue _inOne = null!, _outOne = null!, _inMany = null!, _outMany = null!;
    private readonly string[] _inputNames = { "input" }, _outputNames = { "output" };
    private OrtValue[] _inOneValues = null!, _outOneValues = null!, _inManyValues = null!, _outManyValues = null!;

    /// <summary>The settings, as the table states them.</summary>
    public static SessionOptions Options(int threads) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = threads,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    };

    [GlobalSetup]
    public void Setup()
    {
        _options = Options(Threads);
        _session = new InferenceSession(TrainedB.OnnxPath, _options);
        _run = new RunOptions();
        _inputs = TrainedB.Inputs(TrainedB.Rows);
        _one = new float[10];
        _many = new float[TrainedB.Rows * 10];
        _inOne = OrtValue.CreateTensorValueFromMemory(_inputs.AsSpan(0, 784).ToArray(), new long[] { 1, 784 });
        _outOne = OrtValue.CreateTensorValueFromMemory(_one, new long[] { 1, 10 });
        _inMany = OrtValue.CreateTensorValueFromMemory(_inputs, new long[] { TrainedB.Rows, 784 });
        _outMany = OrtValue.CreateTensorValueFromMemory(_many, new long[] { TrainedB.Rows, 10 });
        _inOneValues = new[] { _inOne };
        _outOneValues = new[] { _outOne };
        _inManyValues = new[] { _inMany };
        _outManyValues = new[] { _outMany };
        BatchOneB();
        Batch1024B();
        Check(_one, TrainedB.ReadFloats(TrainedB.ExpectedOnePath), "batch 1");
        Check(_many, TrainedB.ReadFloats(TrainedB.ExpectedBatchPath), $"batch {TrainedB.Rows}");
    }

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

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var v in new[] { _inOne, _outOne, _inMany, _outMany }) v.Dispose();
        _run.Dispose();
        _session.Dispose();
        _options.Dispose();
    }

    [Benchmark]
    public float BatchOneB() { _session.Run(_run, _inputNames, _inOneValues, _outputNames, _outOneValues); return _one[0]; }

    [Benchmark(OperationsPerInvoke = TrainedB.Rows)]
    public float Batch1024B() { _session.Run(_run, _inputNames, _inManyValues, _outputNames, _outManyValues); return _many[0]; }
}
