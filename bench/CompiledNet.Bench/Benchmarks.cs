using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TorchSharp;

namespace CompiledNet.Bench;

/// <summary>
/// Whole epochs: one warm-up epoch (JIT tiering, libtorch's first-use costs), then 5 measured epochs, one
/// invocation each. In-process so the build step that makes TorchSharp load (see the .csproj) covers it.
/// </summary>
public sealed class EpochConfig : ManualConfig
{
    /// <summary>Set by <c>--short</c> before any suite runs: no warm-up epoch and one measured epoch (a smoke run).</summary>
    public static bool Short { get; set; }

    public EpochConfig()
    {
        // In-process runs abort after a timeout (5 minutes by default): on a busy shared machine a 2-thread epoch
        // can take a hundred times its idle time, so the epochs get an hour.
        AddJob(Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true))
            .WithWarmupCount(Short ? 0 : 1).WithIterationCount(Short ? 1 : 5).WithInvocationCount(1).WithUnrollFactor(1).WithId("epoch"));
        AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
    }
}

/// <summary>Latency benchmarks: BenchmarkDotNet's defaults (pilot, warm-up, many invocations), in-process.</summary>
public sealed class LatencyConfig : ManualConfig
{
    /// <summary>Set by <c>--short</c>: 3 iterations after 1 warm-up (a smoke run).</summary>
    public static bool Short { get; set; }

    public LatencyConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithIterationCount(Short ? 3 : 15).WithWarmupCount(Short ? 1 : 5).WithId("latency"));
        AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
    }
}

[Config(typeof(EpochConfig))]
public class CompiledNetEpoch
{
    [Params("A", "B", "C", "D")] public string Network = "A";
    [Params(1, 2)] public int Threads = 1;
    private Func<double> _epoch = null!;
    private ITrainable _net = null!;

    /// <summary>
    /// Subnormal floats left in each network's optimizer state and parameters after its measured epochs, by
    /// "network/threads" (filled at cleanup; the bench runs in-process, so the table reads it).
    /// </summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long State, long Parameters, int Epochs)> SubnormalsAfterRun = new();

    [GlobalSetup]
    public void Setup() => _epoch = Create(Network, Threads, out _net);

    [GlobalCleanup]
    public void Cleanup() => SubnormalsAfterRun[$"{Network}/{Threads}"] =
        (Subnormals.Count(_net.OptimizerState), Subnormals.Count(_net.Parameters), (int)(_net.Step / (60000 / (Network == "A" ? 32 : 64))));

    /// <summary>One epoch of network A, B, C or D on <paramref name="threads"/> training threads.</summary>
    public static Func<double> Create(string network, int threads) => Create(network, threads, out _);

    /// <inheritdoc cref="Create(string, int)"/>
    public static Func<double> Create(string network, int threads, out ITrainable net)
    {
        var train = BenchData.Train;
        switch (network)
        {
            case "A": { var n = new NetA(1) { TrainingThreads = threads }; net = n; return new EpochTrainer<NetA>(n, train, 1).RunEpochLoss; }
            case "B": { var n = new NetB(1) { TrainingThreads = threads }; net = n; return new EpochTrainer<NetB>(n, train, 1).RunEpochLoss; }
            case "C": { var n = new NetC(1) { TrainingThreads = threads }; net = n; return new EpochTrainer<NetC>(n, train, 1).RunEpochLoss; }
            case "D": { var n = new NetD(1) { TrainingThreads = threads }; net = n; return new EpochTrainer<NetD>(n, train, 1).RunEpochLoss; }
            default: throw new ArgumentException($"Unknown network '{network}' (A, B, C or D).", nameof(network));
        }
    }

    [Benchmark] public double Epoch() => _epoch();
}

[Config(typeof(EpochConfig))]
public class TorchSharpEpoch
{
    [Params("A", "B", "C", "D")] public string Network = "A";
    [Params(1, 2)] public int Threads = 1;
    private TorchPeer _peer = null!;

    [GlobalSetup] public void Setup() => _peer = new TorchPeer(Network, Threads, BenchData.Train);
    [GlobalCleanup] public void Cleanup() => _peer.Dispose();
    [Benchmark] public double Epoch() => _peer.Epoch();
}

[Config(typeof(EpochConfig))]
public class ScalarEpoch
{
    /// <summary>A tenth of an epoch (6,000 examples); the table multiplies by 10.</summary>
    public const int Examples = 6000;
    private ScalarFloor _floor = null!;

    [GlobalSetup] public void Setup() => _floor = new ScalarFloor(BenchData.Train);
    [Benchmark] public double TenthOfEpochA() => _floor.Epoch(Examples);
}

[Config(typeof(LatencyConfig))]
public class CompiledNetPredict
{
    private readonly NetB _net = TrainedB.Load();
    private readonly float[] _inputs = TrainedB.Inputs(TrainedB.Rows);
    private readonly float[] _output = new float[10];

    [Benchmark] public float BatchOneB() { _net.Predict(_inputs.AsSpan(0, 784), _output); return _output[0]; }
}

[Config(typeof(LatencyConfig))]
public class CompiledNetPredictBatch
{
    [Params(1, 2)] public int Threads = 1;
    private readonly NetB _net = TrainedB.Load();
    private readonly float[] _inputs = TrainedB.Inputs(TrainedB.Rows);
    private readonly float[] _outputs = new float[1024 * 10];

    [GlobalSetup] public void Setup() => _net.InferenceThreads = Threads;

    [Benchmark(OperationsPerInvoke = 1024)]
    public float Batch1024B() { _net.PredictBatch(_inputs, _outputs); return _outputs[0]; }
}

[Config(typeof(LatencyConfig))]
public class TorchSharpPredict
{
    [Params(1, 2)] public int Threads = 1;
    private TorchPeer _peer = null!;
    private torch.Tensor _one = null!, _many = null!;

    [GlobalSetup]
    public void Setup()
    {
        _peer = new TorchPeer("B", Threads, BenchData.Train);
        _peer.Eval();
        _one = _peer.PrepareInput(1, BenchData.Test);
        _many = _peer.PrepareInput(1024, BenchData.Test);
    }

    [GlobalCleanup] public void Cleanup() { _one.Dispose(); _many.Dispose(); _peer.Dispose(); }

    [Benchmark] public float BatchOneB() => _peer.Forward(_one);
    [Benchmark(OperationsPerInvoke = 1024)] public float Batch1024B() => _peer.Forward(_many);
}

/// <summary>
/// Batch-1 <c>Predict</c> of network D with its initial weights (seed 1): a dense and convolutional forward pass does
/// the same arithmetic whatever the weights are, so D's latency needs no training run first.
/// </summary>
[Config(typeof(LatencyConfig))]
public class CompiledNetPredictD
{
    private readonly NetD _net = InitialD.Create();
    private readonly float[] _input = ModelFiles.Inputs(1);
    private readonly float[] _output = new float[10];

    [Benchmark] public float BatchOneD() { _net.Predict(_input, _output); return _output[0]; }
}

[Config(typeof(LatencyConfig))]
public class TorchSharpPredictD
{
    [Params(1, 2)] public int Threads = 1;
    private TorchPeer _peer = null!;
    private torch.Tensor _one = null!;

    [GlobalSetup]
    public void Setup()
    {
        _peer = new TorchPeer("D", Threads, BenchData.Train);
        _peer.Eval();
        _one = _peer.PrepareInput(1, BenchData.Test);
    }

    [GlobalCleanup] public void Cleanup() { _one.Dispose(); _peer.Dispose(); }

    [Benchmark] public float BatchOneD() => _peer.Forward(_one);
}
