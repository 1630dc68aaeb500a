using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using CompiledNet;
using CompiledNet.Bench;
using Microsoft.ML.OnnxRuntime;

// Runs the benchmark suite described in bench/README.md (CompiledNet against TorchSharp-cpu, ONNX Runtime and a scalar C# floor, on
// Fashion-MNIST) and writes one Markdown table. Usage (from the repository root):
//   bash bench/run.sh [--out FILE]          (installs the data set, builds Release, runs everything, ~17 minutes on 2 cores)
//   dotnet bench/CompiledNet.Bench/bin/Release/net10.0/CompiledNet.Bench.dll --machine   (CPU, vector widths, FMA peak of each; seconds)
//   dotnet bench/CompiledNet.Bench/bin/Release/net10.0/CompiledNet.Bench.dll --subnormal-step   (B's Adam step with and without subnormal state)
//   bash bench/run.sh --inference --out FILE  (the inference rows only: CompiledNet, TorchSharp, ONNX Runtime; ~5 minutes)
//   dotnet bench/CompiledNet.Bench/bin/Release/net10.0/CompiledNet.Bench.dll --quick   (CompiledNet epochs only, Stopwatch, ~1 minute)
//   dotnet bench/CompiledNet.Bench/bin/Release/net10.0/CompiledNet.Bench.dll --predict-batch   (B's PredictBatch of 1024 rows on 1 and 2 threads)
//   dotnet bench/CompiledNet.Bench/bin/Release/net10.0/CompiledNet.Bench.dll --compile-cost   (generator time, source size, first Predict)
//   dotnet bench/CompiledNet.Bench/bin/Release/net10.0/CompiledNet.Bench.dll --telemetry-cost   (A's epochs with and without telemetry listeners)
//   dotnet bench/CompiledNet.Bench/bin/Release/net10.0/CompiledNet.Bench.dll --only D --short --out FILE   (network D's rows only, 1 measured epoch: a smoke run)
// Given more than once, the last --out counts: bench/run.sh passes its default before the user's arguments.
var outOption = new Option<string[]>("--out")
{
    Description = "the Markdown file the full run writes (a new section is added to an existing results file)",
    HelpName = "FILE",
    Arity = ArgumentArity.OneOrMore,
    DefaultValueFactory = _ => new[] { "bench/results.md" },
};
var inferenceOption = new Option<bool>("--inference") { Description = "the inference rows only: CompiledNet, TorchSharp, ONNX Runtime (about 5 minutes)" };
var machineOption = new Option<bool>("--machine") { Description = "the CPU, its vector widths and the FMA peak of each, then exit" };
var quickOption = new Option<bool>("--quick") { Description = "CompiledNet's epochs, a step's parts and the health monitor's cost, Stopwatch only (about a minute)" };
var predictBatchOption = new Option<bool>("--predict-batch") { Description = "B's PredictBatch of 1024 rows on 1 and 2 threads, alternating with ONNX Runtime on 1 thread in the same process" };
var subnormalOption = new Option<bool>("--subnormal-step") { Description = "B's Adam step with and without subnormal optimizer state" };
var convQuickOption = new Option<bool>("--conv-quick") { Description = "network D on the first 6,400 training images, CompiledNet against TorchSharp and a step's parts, Stopwatch only (about two minutes)" };
var compileCostOption = new Option<bool>("--compile-cost") { Description = "the generator's time, the generated source's size and the first Predict in a fresh process" };
var telemetryCostOption = new Option<bool>("--telemetry-cost") { Description = "A's training epochs with nobody listening and with a meter and an activity listener on CompiledNet.Training, alternating: time and bytes per epoch" };
var epochsOption = new Option<(string Network, int Threads, int Count)?>("--epochs")
{
    Description = "for a profiler: COUNT epochs of network A, B, C or D on THREADS threads, nothing else",
    HelpName = "A|B|C|D THREADS COUNT",
    Arity = new ArgumentArity(3, 3),
    AllowMultipleArgumentsPerToken = true,
    CustomParser = result =>
    {
        string network = result.Tokens[0].Value, threads = result.Tokens[1].Value, count = result.Tokens[2].Value;
        if (network is not ("A" or "B" or "C" or "D")) result.AddError($"--epochs: the network is A, B, C or D, not '{network}'.");
        if (!int.TryParse(threads, NumberStyles.Integer, CultureInfo.InvariantCulture, out int t) || t < 1)
            result.AddError($"--epochs: THREADS is a whole number of at least 1, not '{threads}'.");
        if (!int.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out int c) || c < 1)
            result.AddError($"--epochs: COUNT is a whole number of at least 1, not '{count}'.");
        return (network, t, c);
    },
};
var threadPairsOption = new Option<(string Network, int Pairs)?>("--thread-pairs")
{
    Description = "network A, B, C or D on one thread and on two, epochs in turn in one process: PAIRS pairs after one warm-up epoch each, medians and the median two-thread speed-up",
    HelpName = "A|B|C|D PAIRS",
    Arity = new ArgumentArity(2, 2),
    AllowMultipleArgumentsPerToken = true,
    CustomParser = result =>
    {
        string network = result.Tokens[0].Value, pairs = result.Tokens[1].Value;
        if (network is not ("A" or "B" or "C" or "D")) result.AddError($"--thread-pairs: the network is A, B, C or D, not '{network}'.");
        if (!int.TryParse(pairs, NumberStyles.Integer, CultureInfo.InvariantCulture, out int p) || p < 1)
            result.AddError($"--thread-pairs: PAIRS is a whole number of at least 1, not '{pairs}'.");
        return (network, p);
    },
};
var onlyOption = new Option<string[]>("--only")
{
    Description = "the full run restricted to these networks' rows (training and inference), e.g. --only D",
    HelpName = "A|B|C|D",
    Arity = ArgumentArity.OneOrMore,
    AllowMultipleArgumentsPerToken = true,
};
onlyOption.Validators.Add(result =>
{
    foreach (var token in result.Tokens)
        if (token.Value is not ("A" or "B" or "C" or "D")) result.AddError($"--only: a network is A, B, C or D, not '{token.Value}'.");
});
var shortOption = new Option<bool>("--short") { Description = "a smoke run of the full run's code: \"epochs\" of the first 640 training images, 1 measured after none to warm up, latencies over 3 iterations after 1 warm-up (figures not comparable)" };
var onnxPeerOption = new Option<string>("--onnx-peer")
{
    Description = "internal: the full run's child process that times ONNX Runtime on the networks --only names (B, D) and writes its results to FILE",
    HelpName = "FILE",
    Hidden = true,
};
var widthChildOption = new Option<string>("--width-child")
{
    Description = "internal: the full run's child process that times A's epoch on one thread at the width its DOTNET_ variables leave, and writes the result to FILE",
    HelpName = "FILE",
    Hidden = true,
};
var command = new RootCommand("CompiledNet against TorchSharp-cpu, ONNX Runtime and a scalar C# floor on Fashion-MNIST (bench/README.md). Without a mode option: the full suite, written to --out.")
{
    outOption, inferenceOption, machineOption, quickOption, convQuickOption, predictBatchOption, subnormalOption, compileCostOption, telemetryCostOption, epochsOption, threadPairsOption, onlyOption, shortOption, onnxPeerOption, widthChildOption,
};
Option[] modes = { inferenceOption, machineOption, quickOption, convQuickOption, predictBatchOption, subnormalOption, compileCostOption, telemetryCostOption, epochsOption, threadPairsOption, onnxPeerOption, widthChildOption };
command.Validators.Add(result =>
{
    var given = modes.Where(m => result.GetResult(m) is not null).Select(m => m.Name).ToList();
    if (given.Count > 1) result.AddError($"{string.Join(" and ", given)} are different runs; choose one.");
    var restricting = new Option[] { onlyOption, shortOption }.Where(o => result.GetResult(o) is not null).Select(o => o.Name).ToList();
    var other = given.Where(g => g != inferenceOption.Name && g != onnxPeerOption.Name && g != widthChildOption.Name).ToList();
    if (restricting.Count > 0 && other.Count > 0) result.AddError($"{string.Join(" and ", restricting)} apply to the full run only, not to {other[0]}.");
});
const int UsageError = 2;
ParseResult parsed = command.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine("Run with --help to see the options.");
    return UsageError;
}
if (parsed.Action is not null) return parsed.Invoke();   // --help, --version
string outPath = parsed.GetValue(outOption)![^1];
var networks = parsed.GetValue(onlyOption) is { Length: > 0 } only ? only.ToHashSet() : new HashSet<string> { "A", "B", "C", "D" };
bool shortRun = parsed.GetValue(shortOption);
EpochConfig.Short = LatencyConfig.Short = shortRun;
if (shortRun) BenchData.TrainLimit = 640;
bool quick = parsed.GetValue(quickOption), compileCost = parsed.GetValue(compileCostOption),
    inferenceOnly = parsed.GetValue(inferenceOption), machineOnly = parsed.GetValue(machineOption);
if (parsed.GetValue(predictBatchOption)) { _ = BenchData.Test; PredictBatchQuick(); return 0; }
if (parsed.GetValue(subnormalOption))
{
    // B trained 2 epochs on one thread; then one optimizer step timed from that state as it is and with every
    // |state| < 1e-30 flushed to 0 (the same gradients), alternating, 101 times each.
    var net = new NetB(1) { TrainingThreads = 1 };
    var trainer = new EpochTrainer<NetB>(net, BenchData.Train, 1);
    trainer.RunEpoch();
    trainer.RunEpoch();
    Console.WriteLine($"B after 2 epochs on one thread: {Subnormals.Count(net.OptimizerState)} subnormal floats in the optimizer state, {Subnormals.Count(net.Parameters)} in the parameters (of {NetB.ParameterCount} each)");
    var parameters = net.Parameters.ToArray();
    var state = net.OptimizerState.ToArray();
    var flushed = state.Select(v => MathF.Abs(v) < 1e-30f ? 0f : v).ToArray();
    var times = new[] { new List<double>(), new List<double>() };
    for (int rep = 0; rep < 101; rep++)
        for (int k = 0; k < 2; k++)
        {
            parameters.CopyTo(net.Parameters);
            (k == 0 ? state : flushed).CopyTo(net.OptimizerState);
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            net.ApplyGradients();
            times[k].Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
    foreach (var t in times) t.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"One Adam step from that state: as it is {times[0][50]:F0} µs (min {times[0][0]:F0}), with |state| < 1e-30 flushed to 0 {times[1][50]:F0} µs (min {times[1][0]:F0}); medians of 101, alternating"));
    return 0;
}
if (parsed.GetValue(onnxPeerOption) is string onnxPeerFile)
{
    // The child process of the full run: ONNX Runtime alone (its spinning pool threads stay out of the parent),
    // on the model directory named by CNET_BENCH_MODEL_DIR, for the networks --only names (B, D; --short as the parent
    // run); results as lines of key, median, min, max, bytes. A suite that fails (outputs that differ from CompiledNet's,
    // for one) leaves its lines out, the other's are still written, and the exit code is 1.
    if (ModelFiles.Inherited is null) { Console.Error.WriteLine("--onnx-peer needs CNET_BENCH_MODEL_DIR (set by the full run)."); return UsageError; }
    var onnxSummaries = new List<Summary>();
    int expectedCases = 0;
    void RunOnnx<T>(int cases)
    {
        expectedCases += cases;
        try { onnxSummaries.Add(BenchmarkRunner.Run<T>()); }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException) { Console.Error.WriteLine($"{typeof(T).Name} failed: {e.Message}"); }
    }
    if (networks.Contains("B")) RunOnnx<OnnxRuntimePredict>(2 * 2);
    if (networks.Contains("D")) RunOnnx<OnnxRuntimePredictD>(2);
    var onnx = Collect(onnxSummaries);
    File.WriteAllLines(onnxPeerFile, onnx.Select(r => string.Join('\t', r.Key, F(r.Value.MedianNs, "R"), F(r.Value.MinNs, "R"), F(r.Value.MaxNs, "R"), r.Value.Bytes.ToString(CultureInfo.InvariantCulture))));
    return onnx.Count == expectedCases ? 0 : 1;
}
if (parsed.GetValue(widthChildOption) is { } widthFile) { Widths.RunChild(widthFile, shortRun); return 0; }
if (parsed.GetValue(epochsOption) is { } epochsRun)
{
    // For a profiler: N epochs of one network on T threads, nothing else (e.g. under perf record).
    var (network, threads, count) = epochsRun;
    var epoch = CompiledNetEpoch.Create(network, threads, out var trained);
    var watch = System.Diagnostics.Stopwatch.StartNew();
    var bytes = new List<string>();
    for (int e = 0; e < count; e++)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true), mine = GC.GetAllocatedBytesForCurrentThread();
        epoch();
        bytes.Add($"{GC.GetTotalAllocatedBytes(precise: true) - before}/{GC.GetAllocatedBytesForCurrentThread() - mine}");
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{network}, {threads} thread(s): {watch.Elapsed.TotalMilliseconds / count:F0} ms per epoch over {count}; bytes allocated per epoch, process/this thread: {string.Join(" ", bytes)}; subnormal floats in the optimizer state {Subnormals.Count(trained.OptimizerState)}, in the parameters {Subnormals.Count(trained.Parameters)}"));
    return 0;
}
if (parsed.GetValue(threadPairsOption) is { } threadPairs)
{
    var (network, pairs) = threadPairs;
    var (one, two, speedUp) = PairedEpochs.MeasureThreads(network, pairs);
    Console.WriteLine($"CPU: {Peak.CpuModel()}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{network}: epoch {one:F0} ms on 1 thread, {two:F0} ms on 2 (medians of {pairs} pairs, in turn); two threads {speedUp:F2}× as fast as one (median of the pairs' ratios)"));
    return 0;
}
if (compileCost)
{
    // First thing in the process, before anything else has touched NetB or the kernels.
    var (firstMs, secondUs) = CompileCost.FirstPredict();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"B: constructor + first Predict {firstMs:F1} ms in a fresh process (JIT of the tier-0 code included); second Predict {secondUs:F1} µs"));
    Console.WriteLine("| network | generator time (median of 20) | generated source | largest generated method (IL) |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var line in CompileCost.Report()) Console.WriteLine(line);
    return 0;
}
if (parsed.GetValue(convQuickOption))
{
    BenchData.TrainLimit = 6400;
    ConvQuick.Run();
    return 0;
}
if (!machineOnly) _ = BenchData.Train;   // fail early (with the message that says how to get the data) rather than inside BenchmarkDotNet; --machine needs no data
if (parsed.GetValue(telemetryCostOption)) { TelemetryCost.Run(BenchData.Train); return 0; }

if (quick)
{
    foreach (int threads in new[] { 1, 2 })
    {
        var net = new NetA(1) { TrainingThreads = threads };
        var x = BenchData.Train.AllFeatures.Slice(0, 32 * 784).ToArray();
        var labels = BenchData.Train.Labels.Slice(0, 32).ToArray();
        for (int i = 0; i < 200; i++) net.TrainBatch(x, labels);
        // Untimed calls of every timed method first: the tiered JIT promotes a method to optimised code only after its
        // calls have been counted for a while, and the first timed loop otherwise runs partly unoptimised (it read
        // 119–144 µs for the gradients of 32 rows against 66 µs once warm).
        for (int i = 0; i < 2000; i++)
        {
            net.ComputeGradients(x, labels);
            net.ComputeGradients(x.AsSpan(0, 16 * 784), labels.AsSpan(0, 16));
            net.ApplyGradients();
            CompiledNet.CompilerServices.Kernels.AllFinite(net.Parameters);
        }
        var w1 = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 2000; i++) net.ComputeGradients(x, labels);
        double grad = w1.Elapsed.TotalMicroseconds / 2000;
        w1.Restart();
        for (int i = 0; i < 2000; i++) net.ApplyGradients();
        double step = w1.Elapsed.TotalMicroseconds / 2000;
        w1.Restart();
        for (int i = 0; i < 2000; i++) CompiledNet.CompilerServices.Kernels.AllFinite(net.Parameters);
        double check = w1.Elapsed.TotalMicroseconds / 2000;
        w1.Restart();
        for (int i = 0; i < 2000; i++) net.ComputeGradients(x.AsSpan(0, 16 * 784), labels.AsSpan(0, 16));
        double half = w1.Elapsed.TotalMicroseconds / 2000;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"A step, {threads} thread(s): gradients {grad:F1} µs (16 rows: {half:F1} µs), optimizer step {step:F1} µs, finite check {check:F1} µs"));
    }
    PredictBatchQuick();
    // The health monitor's cost at its default sampling (every 50 steps), network B on one thread.
    foreach (bool watched in new[] { false, true, false, true })
    {
        var net = new NetB(1) { TrainingThreads = 1 };
        var trainer = new EpochTrainer<NetB>(net, BenchData.Train, 1) { Monitor = watched ? new HealthMonitor(net) : null };
        trainer.RunEpoch();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int r = 0; r < 3; r++) { trainer.RunEpoch(); trainer.Monitor?.EndWindow(r); }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"B, 1 thread, health monitor {(watched ? "on (every 50 steps)" : "off")}: {watch.Elapsed.TotalMilliseconds / 3:F0} ms per epoch (mean of 3)"));
    }
    foreach (var network in new[] { "A", "B", "C" })
        foreach (int threads in new[] { 1, 2 })
        {
            var epoch = CompiledNetEpoch.Create(network, threads, out var trained);
            epoch();
            var times = new List<double>();
            for (int r = 0; r < 3; r++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                epoch();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{network}, {threads} thread(s): median {times[1]:F0} ms per epoch (min {times[0]:F0}, max {times[2]:F0}); subnormal floats after 4 epochs: {Subnormals.Count(trained.OptimizerState)} in the optimizer state, {Subnormals.Count(trained.Parameters)} in the parameters"));
        }
    return 0;
}

string cpu = Peak.CpuModel(), vectors = Peak.VectorState();
Console.WriteLine($"CPU: {cpu}");
Console.WriteLine(vectors);
Console.WriteLine("Measuring the FMA peak of every accelerated width…");
var widths = Peak.MeasureAll();
if (widths.Count == 0) { Console.Error.WriteLine("No vector width is hardware-accelerated in this process: there is no peak to measure against."); return 1; }
var widest = widths[^1];
double peak1 = widest.OneThread, peak2 = widest.TwoThreads;
string peaks = string.Join("; ", widths.Select(w => string.Create(CultureInfo.InvariantCulture,
    $"{w.Name} {w.OneThread:F1} on 1 thread, {w.TwoThreads:F1} on 2 ({100 * w.OneThread / peak1:F0}% of {widest.Name})")));
Console.WriteLine($"FMA peak (GFLOP/s): {peaks}");
if (machineOnly) return 0;

bool withB = networks.Contains("B"), withD = networks.Contains("D");
if (withB)
{
    Console.WriteLine("Training B for one epoch (the weights B's inference benchmarks run)…");
    _ = TrainedB.Directory;
}
if (withD)
{
    Console.WriteLine("Exporting D with its initial weights (seed 1) for ONNX Runtime…");
    _ = InitialD.Directory;
}
if (withB || withD) Console.WriteLine($"Model files: {ModelFiles.Directory}");
var summaries = new List<Summary>();
var failed = new List<string>();
// One suite that throws (e.g. an in-process timeout) leaves its rows empty; the others still run and the table is written.
// --only: the epoch suites keep the cases of the named networks (their Network parameter).
var networkFilter = ManualConfig.Create(DefaultConfig.Instance).AddFilter(new SimpleFilter(c =>
    c.Parameters.Items.FirstOrDefault(p => p.Name == "Network")?.Value is not string n || networks.Contains(n)));
void Run<T>()
{
    try { summaries.Add(BenchmarkRunner.Run<T>(networkFilter)); }
    catch (Exception e) when (e is InvalidOperationException or TimeoutException)
    {
        Console.Error.WriteLine($"{typeof(T).Name} failed: {e.Message}");
        failed.Add($"{typeof(T).Name} ({e.Message})");
    }
}
var pairedBC = new Dictionary<int, (double B, double C, double Ratio)>();
var widthResults = new List<Widths.Result>();
if (!inferenceOnly)
{
    Run<CompiledNetEpoch>();
    Run<TorchSharpEpoch>();
    if (networks.Contains("A")) Run<ScalarEpoch>();
    if (networks.Contains("A")) widthResults = Widths.Run(shortRun, failed);
    if (networks.Contains("B") && networks.Contains("C"))
        foreach (int threads in new[] { 1, 2 })
        {
            Console.WriteLine($"B and C, {threads} thread(s): epochs in turn…");
            pairedBC[threads] = PairedEpochs.Measure(threads, shortRun ? 1 : 5);
        }
}
if (withB)
{
    Run<CompiledNetPredict>();
    Run<CompiledNetPredictBatch>();
    Run<TorchSharpPredict>();
}
if (withD)
{
    Run<CompiledNetPredictD>();
    Run<TorchSharpPredictD>();
}

var results = Collect(summaries);
if (withB || withD)
{
    var onnxResults = RunOnnxPeer(ModelFiles.Directory, new[] { "B", "D" }.Where(networks.Contains), shortRun, failed);
    foreach (var (key, value) in onnxResults) results[key] = value;
    ModelFiles.Delete();
}
if (results.Count == 0) { Console.Error.WriteLine("No benchmark produced a result (see the log above)."); return 1; }

double? Median(string key) => results.TryGetValue(key, out var r) ? r.MedianNs : null;
string Ms(string key) => results.TryGetValue(key, out var r)
    ? $"{F(r.MedianNs / 1e6, "F0")} ms ({F(r.MinNs / 1e6, "F0")}–{F(r.MaxNs / 1e6, "F0")})" : "—";
string Us(string key) => results.TryGetValue(key, out var r)
    ? $"{F(r.MedianNs / 1e3, "F2")} µs ({F(r.MinNs / 1e3, "F2")}–{F(r.MaxNs / 1e3, "F2")})" : "—";
string Bytes(string key) => results.TryGetValue(key, out var r) && r.Bytes >= 0 ? F(r.Bytes, "N0") + " B" : "—";
string Ratio(string peer, string ours, double target = 0)
{
    if (Median(peer) is not double p || Median(ours) is not double o) return "—";
    double ratio = p / o;
    return target > 0 ? $"**{F(ratio, "F2")}×** (target ≥ {F(target, "0.##")}×: {(ratio >= target ? "met" : "missed")})" : $"{F(ratio, "F2")}× (no target)";
}
string Gflops(string key, double flopPerSample, double peak)
{
    if (Median(key) is not double ns) return "—";
    double g = flopPerSample * BenchData.Train.Count / ns;   // 60,000, or 640 with --short
    return $"{F(g, "F1")} GFLOP/s = {F(100 * g / peak, "F0")}% of peak";
}

// Training FLOP per sample: 2 per multiply-add forward, 2 for the weight gradients, 2 for the input gradients of every
// layer but the first (activations and pooling not counted). D: conv1 225,792 + conv2 3,612,672 + fc1 401,408 + fc2 1,280
// multiply-adds, so 6 · 4,241,152 − 2 · 225,792.
const double FlopA = 409_088, FlopB = 1_007_104, FlopD = 24_995_328, FlopInferenceD = 2.0 * 4_241_152;
// The peaks again at the end: a VM's other core can be busy during the first measurement (a two-thread peak below the
// one-thread peak of the next width has been seen); the higher of the two measurements of each is the ceiling.
Console.WriteLine("Measuring the FMA peaks again…");
var startPeak = (One: peak1, Two: peak2);
var endWidths = Peak.MeasureAll();
widths = widths.Zip(endWidths, (a, b) => a with { OneThread = Math.Max(a.OneThread, b.OneThread), TwoThreads = Math.Max(a.TwoThreads, b.TwoThreads) }).ToList();
widest = widths[^1];
(peak1, peak2) = (widest.OneThread, widest.TwoThreads);
peaks = string.Join("; ", widths.Select(w => string.Create(CultureInfo.InvariantCulture,
    $"{w.Name} {w.OneThread:F1} on 1 thread, {w.TwoThreads:F1} on 2 ({100 * w.OneThread / peak1:F0}% of {widest.Name})")));
string peakNote = string.Create(CultureInfo.InvariantCulture,
    $" Measured at the start and at the end of the run, the higher of each kept ({widest.Name}: {startPeak.One:F1} and {startPeak.Two:F1} at the start, {endWidths[^1].OneThread:F1} and {endWidths[^1].TwoThreads:F1} at the end).");
var md = new StringBuilder();
md.AppendLine(string.Create(CultureInfo.InvariantCulture,
    $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores ({System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}), BenchmarkDotNet in-process (ONNX Runtime in a child process of its own); ") +
    (shortRun ? "**a smoke run (`--short`): an \"epoch\" is the first 640 training images, 1 measured without warm-up, latencies over 3 iterations after 1 warm-up; the figures are not comparable with a full run's.**" : "medians with (min–max) of 5 epochs after 1 warm-up epoch, latencies over 15 iterations after 5 warm-ups.") +
    (networks.Count < 4 ? $" Networks run: {string.Join(", ", networks.Order())} (`--only`)." : ""));
md.AppendLine();
md.AppendLine($"CPU: **{cpu}**. {vectors}.");
md.AppendLine();
md.AppendLine($"{(Peak.HardwareFma ? "FMA" : "Multiply + add (no hardware FMA)")} peak per accelerated width, measured in the same run (GFLOP/s): {peaks}.{peakNote} **Every share of peak below is against the widest, {widest.Name}: {F(peak1, "F1")} GFLOP/s on 1 thread, {F(peak2, "F1")} on 2.**");
md.AppendLine();
if (!inferenceOnly)
{
    md.AppendLine("| work | CompiledNet 1 thread | CompiledNet 2 threads | TorchSharp 1 thread | TorchSharp 2 threads | 1 thread: CompiledNet vs TorchSharp | 2 threads: CompiledNet vs TorchSharp | CompiledNet GFLOP/s (1 thread; 2 threads) | CompiledNet allocated |");
    md.AppendLine("|---|---|---|---|---|---|---|---|---|");
    // The targets of the project's performance issue (A ≥ 2.5× and ≥ 3×, B ≥ 2× and ≥ 2.5×, C ≥ 2× on both; D ≥ 1.5× on both).
    foreach (var (net, flop, t1, t2) in new[] { ("A", FlopA, 2.5, 3.0), ("B", FlopB, 2.0, 2.5), ("C", FlopB, 2.0, 2.0), ("D", FlopD, 1.5, 1.5) })
    {
        if (!networks.Contains(net)) continue;
        string ours1 = $"CompiledNetEpoch.Epoch/{net}/1", ours2 = $"CompiledNetEpoch.Epoch/{net}/2";
        md.AppendLine($"| {net}, one epoch of {F(BenchData.Train.Count, "N0")} | {Ms(ours1)} | {Ms(ours2)} | {Ms($"TorchSharpEpoch.Epoch/{net}/1")} | {Ms($"TorchSharpEpoch.Epoch/{net}/2")} | " +
            $"{Ratio($"TorchSharpEpoch.Epoch/{net}/1", ours1, t1)} | {(t2 > 0 ? Ratio($"TorchSharpEpoch.Epoch/{net}/2", ours2, t2) : "no target")} | {Gflops(ours1, flop, peak1)}; {Gflops(ours2, flop, peak2)} | {Bytes(ours1)}; {Bytes(ours2)} per epoch |");
    }
    string floor = results.TryGetValue("ScalarEpoch.TenthOfEpochA", out var fl) ? $"{F(fl.MedianNs * 10 / 1e9, "F1")} s (×10 of 6,000 examples)" : "—";
    if (networks.Contains("A")) md.AppendLine($"| A, plain scalar C# (the floor) | {floor} | | | | | | | |");
    md.AppendLine();
    // Checks that would catch subnormal stalls coming back (B does strictly less work than C, so B must not be slower):
    // epochs of B and C in turn in one process (PairedEpochs), since the table's B and C rows ran minutes apart.
    foreach (var (threads, pair) in pairedBC.OrderBy(p => p.Key))
        md.AppendLine($"- B vs C, {threads} thread{(threads > 1 ? "s" : "")}, epochs in turn in one process ({(shortRun ? "1 pair" : "median of 5 pairs")} after a warm-up epoch of each): B {F(pair.B, "F0")} ms, C {F(pair.C, "F0")} ms; B's epoch takes {F(pair.Ratio, "F2")}× C's. {(pair.Ratio <= 1 ? "OK: B (less work) is not slower." : "**FLAG: B is slower than C although it does less work** (see the subnormal counts).")}");
    var subnormalRows = CompiledNetEpoch.SubnormalsAfterRun.OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p => $"{p.Key.Replace("/", ", ")} thread(s) after {p.Value.Epochs} epochs: {F(p.Value.State, "N0")} in the optimizer state, {F(p.Value.Parameters, "N0")} in the parameters").ToList();
    if (subnormalRows.Count > 0)
    {
        bool any = CompiledNetEpoch.SubnormalsAfterRun.Values.Any(v => v.State + v.Parameters > 0);
        md.AppendLine($"- Subnormal floats (each costs a microcode assist per instruction on Intel cores): {string.Join("; ", subnormalRows)}. {(any ? "**FLAG: subnormal state present.**" : "OK: none.")}");
    }
    if (widthResults.Count > 0)
    {
        // The target of the performance issue: with only Vector128 and no FMA (the Arm64 stand-in it names), within 2.5× of the default.
        md.AppendLine();
        foreach (var line in Widths.Report(widthResults, FlopA, BenchData.Train.Count, 2.5, shortRun)) md.AppendLine(line);
    }
}
// The ONNX Runtime settings both inference paragraphs state.
string onnxSettings = string.Create(CultureInfo.InvariantCulture,
    $"with `GraphOptimizationLevel.ORT_ENABLE_ALL`, `IntraOpNumThreads` = threads, `ExecutionMode.ORT_SEQUENTIAL`, inputs and outputs pre-allocated with `OrtValue.CreateTensorValueFromMemory` and `session.Run(RunOptions, names, values, names, values)`, in a child process of its own (its pool threads spin after each run), its outputs checked within {OnnxSession.Tolerance:0e0} of CompiledNet's before timing");
if (withB)
{
    md.AppendLine();
    md.AppendLine($"Inference of B (trained one epoch; the same weights in every library) against both peers. ONNX Runtime {OnnxRuntimeVersion()} runs the model `OnnxExport.Save` wrote, {onnxSettings}. TorchSharp runs eval mode under `no_grad`. Ratios are peer time / CompiledNet time (> 1: CompiledNet faster).");
    md.AppendLine();
    md.AppendLine("| B inference | CompiledNet | TorchSharp | ONNX Runtime | CompiledNet vs TorchSharp | CompiledNet vs ONNX Runtime | CompiledNet GFLOP/s | CompiledNet allocated |");
    md.AppendLine("|---|---|---|---|---|---|---|---|");
    const double FlopInference = 2.0 * (784 * 256 + 256 * 128 + 128 * 10);
    string Throughput(string key) => Median(key) is double ns ? $"{F(1e9 / ns / 1000, "F0")}k samples/s" : "—";
    string InferenceGflops(string key, double peak) => Median(key) is double bn
        ? $"{F(FlopInference / bn, "F1")} GFLOP/s = {F(100 * FlopInference / bn / peak, "F0")}% of peak" : "—";
    foreach (int threads in new[] { 1, 2 })
        md.AppendLine($"| `Predict` batch 1, {threads} thread{(threads > 1 ? "s" : "")}{(threads > 1 ? " (CompiledNet's `Predict` runs on the caller's thread: same figure)" : "")} | {Us("CompiledNetPredict.BatchOneB")} | {Us($"TorchSharpPredict.BatchOneB/{threads}")} | {Us($"OnnxRuntimePredict.BatchOneB/{threads}")} | " +
            $"{(threads == 1 ? Ratio("TorchSharpPredict.BatchOneB/1", "CompiledNetPredict.BatchOneB", 3.0) : Ratio($"TorchSharpPredict.BatchOneB/{threads}", "CompiledNetPredict.BatchOneB"))} | " +
            $"{(threads == 1 ? Ratio("OnnxRuntimePredict.BatchOneB/1", "CompiledNetPredict.BatchOneB", 1.5) : Ratio($"OnnxRuntimePredict.BatchOneB/{threads}", "CompiledNetPredict.BatchOneB"))} | " +
            $"{InferenceGflops("CompiledNetPredict.BatchOneB", peak1)} | {Bytes("CompiledNetPredict.BatchOneB")} per prediction |");
    foreach (int threads in new[] { 1, 2 })
    {
        string ours = $"CompiledNetPredictBatch.Batch1024B/{threads}";
        md.AppendLine($"| `PredictBatch` of 1024 rows, {threads} thread{(threads > 1 ? "s" : "")} | {Throughput(ours)} | {Throughput($"TorchSharpPredict.Batch1024B/{threads}")} | {Throughput($"OnnxRuntimePredict.Batch1024B/{threads}")} | " +
            $"{Ratio($"TorchSharpPredict.Batch1024B/{threads}", ours, 1.0)} | {Ratio($"OnnxRuntimePredict.Batch1024B/{threads}", ours, 1.0)} | " +
            $"{InferenceGflops(ours, threads == 1 ? peak1 : peak2)} | {Bytes(ours)} per sample |");
    }
}
if (withD)
{
    md.AppendLine();
    md.AppendLine($"Inference of D (initial weights, seed 1, in every library; the arithmetic does not depend on the values), one row at a time, against both peers. ONNX Runtime {OnnxRuntimeVersion()} runs the model `OnnxExport.Save` wrote from those weights (rows of 784 inputs, reshaped to 1×28×28 inside the model), {onnxSettings}. TorchSharp runs eval mode under `no_grad`. CompiledNet's `Predict` runs on the caller's thread, its second convolution and pooling through Winograd's F(2×2, 3×3); its GFLOP/s counts the direct convolutions' multiply-adds, of which Winograd's form does fewer. Ratios are peer time / CompiledNet time (> 1: CompiledNet faster).");
    md.AppendLine();
    md.AppendLine("| D inference | CompiledNet | TorchSharp | ONNX Runtime | CompiledNet vs TorchSharp | CompiledNet vs ONNX Runtime | CompiledNet GFLOP/s | CompiledNet allocated |");
    md.AppendLine("|---|---|---|---|---|---|---|---|");
    foreach (int threads in new[] { 1, 2 })
        md.AppendLine($"| `Predict` batch 1, {threads} thread{(threads > 1 ? "s (CompiledNet: same figure)" : "")} | {Us("CompiledNetPredictD.BatchOneD")} | {Us($"TorchSharpPredictD.BatchOneD/{threads}")} | {Us($"OnnxRuntimePredictD.BatchOneD/{threads}")} | " +
            $"{Ratio($"TorchSharpPredictD.BatchOneD/{threads}", "CompiledNetPredictD.BatchOneD", 2.0)} | " +
            $"{(threads == 1 ? Ratio("OnnxRuntimePredictD.BatchOneD/1", "CompiledNetPredictD.BatchOneD", 1.5) : Ratio($"OnnxRuntimePredictD.BatchOneD/{threads}", "CompiledNetPredictD.BatchOneD"))} | " +
            (Median("CompiledNetPredictD.BatchOneD") is double dn ? $"{F(FlopInferenceD / dn, "F1")} GFLOP/s = {F(100 * FlopInferenceD / dn / peak1, "F0")}% of peak" : "—") +
            $" | {Bytes("CompiledNetPredictD.BatchOneD")} per prediction |");
}
md.AppendLine();
if (failed.Count > 0) md.AppendLine($"**Failed, rows left empty:** {string.Join("; ", failed)}.").AppendLine();
md.AppendLine("Allocated bytes are BenchmarkDotNet's managed-heap measurement per operation (TorchSharp's native tensors are not on the managed heap).");

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
// A dated log (a file that starts with "# Benchmark results", like bench/results.md) gets this report as its newest
// section, above the earlier ones; any other file is overwritten.
string report = md.ToString();
if (File.Exists(outPath) && File.ReadAllText(outPath) is var log && log.StartsWith("# Benchmark results", StringComparison.Ordinal))
{
    int first = log.IndexOf("\n## ", StringComparison.Ordinal);
    string section = string.Create(CultureInfo.InvariantCulture,
        $"## {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC — `CompiledNet.Bench{(args.Length > 0 ? " " + string.Join(' ', args) : "")}` on {cpu}\n\n{report}\n");
    File.WriteAllText(outPath, first < 0 ? log.TrimEnd() + "\n\n" + section : log[..(first + 1)] + section + log[(first + 1)..]);
}
else File.WriteAllText(outPath, report);
Console.WriteLine();
Console.WriteLine(md.ToString());
Console.WriteLine($"Wrote {outPath}");
return 0;

// ONNX Runtime in a child process of its own (this program with --onnx-peer), on the named networks' models: its
// results by key; a failure (the reason on stderr, named in `failed` for the report) leaves out the results of the
// suites that failed, so the rest of the table is still written.
static Dictionary<string, (double MedianNs, double MinNs, double MaxNs, long Bytes)> RunOnnxPeer(string modelDirectory, IEnumerable<string> networks, bool shortRun, List<string> failed)
{
    var results = new Dictionary<string, (double MedianNs, double MinNs, double MaxNs, long Bytes)>();
    string file = Path.Combine(modelDirectory, "onnx-results.tsv");
    var start = Extensions.ChildOfThisProgram("--onnx-peer");
    start.ArgumentList.Add(file);
    start.ArgumentList.Add("--only");
    foreach (var network in networks) start.ArgumentList.Add(network);
    if (shortRun) start.ArgumentList.Add("--short");
    start.Environment["CNET_BENCH_MODEL_DIR"] = modelDirectory;
    Console.WriteLine("ONNX Runtime, in a child process…");
    using (var child = System.Diagnostics.Process.Start(start)!)
    {
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            string left = File.Exists(file) ? "the rows of its failed suites" : "all its rows";
            Console.Error.WriteLine($"The ONNX Runtime child process failed (exit code {child.ExitCode}; see its log above): {left} stay empty.");
            failed.Add($"ONNX Runtime child process (exit code {child.ExitCode}; {left} left empty)");
        }
        if (!File.Exists(file)) return results;
    }
    foreach (var line in File.ReadAllLines(file))
    {
        var f = line.Split('\t');
        results[f[0]] = (double.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture),
            double.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture));
    }
    return results;
}

static string OnnxRuntimeVersion() =>
    typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "?";

static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

// Median, min and max (ns per operation) and allocated bytes per operation of every benchmark case, by
// "Type.Method/param/param".
static Dictionary<string, (double MedianNs, double MinNs, double MaxNs, long Bytes)> Collect(IEnumerable<Summary> summaries)
{
    var results = new Dictionary<string, (double MedianNs, double MinNs, double MaxNs, long Bytes)>();
    foreach (var summary in summaries)
        foreach (var report in summary.Reports)
        {
            if (report.ResultStatistics is null) continue;
            var c = report.BenchmarkCase;
            string key = c.Descriptor.Type.Name + "." + c.Descriptor.WorkloadMethod.Name +
                string.Concat(c.Parameters.Items.Select(p => "/" + p.Value));
            long bytes = report.GcStats.GetBytesAllocatedPerOperation(c) ?? -1;
            var s = report.ResultStatistics;
            results[key] = (s.Median, s.Min, s.Max, bytes);
        }
    return results;
}

// Batched inference of B, 1024 rows: CompiledNet on 1 and 2 threads and ONNX Runtime on 1 intra-op thread (no pool
// threads to spin, so it can share the process), in alternating runs, medians: a paired comparison that this VM's
// drifting speed cannot tilt (the full run times each library in a phase or process of its own).
static void PredictBatchQuick()
{
    var nets = new[] { new NetB(1) { InferenceThreads = 1 }, new NetB(1) { InferenceThreads = 2 } };
    var x = BenchData.Test.AllFeatures.Slice(0, 1024 * 784).ToArray();
    var y = new float[1024 * 10];
    string model = Path.Combine(Path.GetTempPath(), $"compilednet-predict-batch-{Environment.ProcessId}.onnx");
    OnnxExport.Save(nets[0], model);
    try
    {
        using var onnx = new OnnxSession(model, threads: 1);
        var onnxOutputs = new float[y.Length];
        OrtValue[] input = onnx.Tensor(x, 1024), output = onnx.Tensor(onnxOutputs, 1024);
        onnx.Run(input, output);
        nets[0].PredictBatch(x, y);
        OnnxSession.Check(onnxOutputs, y, "B, batch 1024");
        var runs = new Action[] { () => nets[0].PredictBatch(x, y), () => nets[1].PredictBatch(x, y), () => onnx.Run(input, output) };
        var rates = runs.Select(_ => new List<double>()).ToArray();
        for (int rep = 0; rep < 11; rep++)
            for (int k = 0; k < runs.Length; k++)
            {
                for (int i = 0; i < 10; i++) runs[k]();
                var watch = System.Diagnostics.Stopwatch.StartNew();
                for (int i = 0; i < 40; i++) runs[k]();
                if (rep > 0) rates[k].Add(40 * 1024 / watch.Elapsed.TotalSeconds / 1000);
            }
        foreach (var r in rates) r.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"B, PredictBatch of 1024: CompiledNet 1 thread {rates[0][5]:F0}k samples/s, 2 threads {rates[1][5]:F0}k samples/s; ONNX Runtime {OnnxRuntimeVersion()} 1 thread {rates[2][5]:F0}k samples/s (medians of 10 alternating runs of 40 calls); 1 thread: CompiledNet vs ONNX Runtime {rates[0][5] / rates[2][5]:F2}x"));
    }
    finally { File.Delete(model); }
}
