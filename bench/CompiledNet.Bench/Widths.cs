using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace CompiledNet.Bench;

/// <summary>
/// A's one-thread epoch at every vector width this machine can be forced to, each setting in a child process of its
/// own (the JIT reads the <c>DOTNET_</c> variables when the process starts): the width the runtime picks, Vector512
/// off, Vector128 only with FMA (the closest stand-in for an Arm64 core: 128-bit vectors, fused multiply-add) and
/// Vector128 only without FMA (an x86-64-v2 CPU). Each child reports what its JIT accelerates, measures its widest
/// width's one-thread FMA peak (multiply + add where it has no FMA), then times A's epochs: the same procedure for
/// every row, so the ratios to the first row are the ones to read.
/// </summary>
public static class Widths
{
    /// <summary>One row: its name and the variable that forces it (null: the runtime's own choice).</summary>
    public sealed record Setting(string Name, string? Variable, string? Value)
    {
        public string Forced => Variable is null ? "none" : $"`{Variable}={Value}`";
    }

    /// <summary>What one child measured.</summary>
    public sealed record Result(Setting Setting, string Widest, bool HardwareFma, double Peak, double MedianMs, double MinMs, double MaxMs);

    /// <summary>The rows: on x64 every setting, elsewhere (Arm64: Vector128 with FMA is the machine's own width) the first.</summary>
    public static IReadOnlyList<Setting> Settings => RuntimeInformation.ProcessArchitecture == Architecture.X64
        ? new Setting[]
        {
            new("the runtime's choice", null, null),
            new("Vector512 off", "DOTNET_PreferredVectorBitWidth", "256"),
            new("Vector128 only, with FMA", "DOTNET_PreferredVectorBitWidth", "128"),
            new("Vector128 only, without FMA", "DOTNET_EnableAVX", "0"),
        }
        : new Setting[] { new("the runtime's choice", null, null) };

    private const int WarmUps = 2, Measured = 5;

    /// <summary>The child: the widest width's one-thread peak, then A's epochs on one thread; one tab-separated line into <paramref name="file"/>.</summary>
    public static void RunChild(string file, bool shortRun)
    {
        var widest = Peak.MeasureWidestOneThread();
        var epoch = CompiledNetEpoch.Create("A", 1);
        for (int i = 0; i < (shortRun ? 0 : WarmUps); i++) epoch();
        var times = new List<double>();
        for (int i = 0; i < (shortRun ? 1 : Measured); i++)
        {
            var watch = Stopwatch.StartNew();
            epoch();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        File.WriteAllText(file, string.Join('\t', widest.Name, Peak.HardwareFma ? "fma" : "no-fma",
            F(widest.OneThread), F(times[times.Count / 2]), F(times[0]), F(times[^1]), Peak.VectorState()) + "\n");
    }

    /// <summary>
    /// Every setting in a child process (this program with <c>--width-child</c>), in turn; a child that fails is named in
    /// <paramref name="failed"/> and its row left out.
    /// </summary>
    public static List<Result> Run(bool shortRun, List<string> failed)
    {
        var results = new List<Result>();
        string file = Path.Combine(Path.GetTempPath(), $"compilednet-widths-{Environment.ProcessId}.tsv");
        foreach (var setting in Settings)
        {
            Console.WriteLine($"A at {setting.Name} ({setting.Forced}), in a child process…");
            var start = shortRun ? Extensions.ChildOfThisProgram("--width-child", file, "--short") : Extensions.ChildOfThisProgram("--width-child", file);
            // The child starts from this process's environment without the variables that force a width, then gets its own.
            foreach (var name in new[] { "DOTNET_PreferredVectorBitWidth", "DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "DOTNET_EnableAVX", "DOTNET_EnableHWIntrinsic" })
                start.Environment.Remove(name);
            if (setting.Variable is not null) start.Environment[setting.Variable] = setting.Value;
            File.Delete(file);
            using (var child = Process.Start(start)!)
            {
                child.WaitForExit();
                if (child.ExitCode != 0 || !File.Exists(file))
                {
                    Console.Error.WriteLine($"The child process for A at {setting.Name} failed (exit code {child.ExitCode}; see its log above).");
                    failed.Add($"A at {setting.Name} (child process exit code {child.ExitCode})");
                    continue;
                }
            }
            var f = File.ReadAllText(file).TrimEnd('\n').Split('\t');
            Console.WriteLine($"  {f[6]}: {f[3]} ms per epoch (median)");
            results.Add(new Result(setting, f[0], f[1] == "fma", D(f[2]), D(f[3]), D(f[4]), D(f[5])));
        }
        File.Delete(file);
        return results;
    }

    /// <summary>
    /// The report's section: one row per setting with its ratio to the first, the share of its own peak, and the least
    /// ratio a kernel could reach at 100% of that peak (the first row's GFLOP/s over this width's peak), which is what
    /// limits a narrow width on a CPU with wide FMA units. <paramref name="target"/>: the most the Vector128-only epoch
    /// without FMA may take, in multiples of the first row's.
    /// </summary>
    public static IEnumerable<string> Report(IReadOnlyList<Result> results, double flopPerSample, int samples, double target, bool shortRun)
    {
        if (results.Count == 0 || results[0].Setting.Variable is not null) yield break;
        var first = results[0];
        double Gflops(Result r) => flopPerSample * samples / (r.MedianMs * 1e6);
        yield return $"A's epoch on one thread at each vector width, every setting in a child process of its own ({(shortRun ? "the smoke run's one epoch, no warm-up" : $"{WarmUps} warm-up epochs, then the median (min–max) of {Measured}")}); each child measured the one-thread peak of its widest accelerated width (multiply + add where it has no FMA). \"Least possible\": the ratio a kernel would reach at 100% of that width's peak with the first row's time as it is — the ceiling the CPU's ratio of peaks sets.";
        yield return "";
        yield return "| setting | variable | accelerated in the child | A epoch, 1 thread | × the runtime's choice | GFLOP/s = share of this width's peak | least possible × |";
        yield return "|---|---|---|---|---|---|---|";
        foreach (var r in results)
        {
            double ratio = r.MedianMs / first.MedianMs, bound = Gflops(first) / r.Peak;
            string times = $"{F0(r.MedianMs)} ms ({F0(r.MinMs)}–{F0(r.MaxMs)})";
            string verdict = r == first ? "1 (the reference)"
                : r.Setting.Variable == "DOTNET_EnableAVX" ? $"**{F2(ratio)}×** (target ≤ {F2(target)}×: {(ratio <= target ? "met" : "missed")})"
                : $"{F2(ratio)}×";
            yield return $"| {r.Setting.Name} | {r.Setting.Forced} | {r.Widest}, {(r.HardwareFma ? "FMA" : "no FMA")} | {times} | {verdict} | {F1(Gflops(r))} GFLOP/s = {F0(100 * Gflops(r) / r.Peak)}% of {F1(r.Peak)} | {(r == first ? "" : F2(bound) + "×")} |";
        }
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string F0(double v) => v.ToString("F0", CultureInfo.InvariantCulture);
    private static string F1(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
    private static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
