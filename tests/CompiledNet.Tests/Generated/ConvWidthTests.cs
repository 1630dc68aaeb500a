using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.Intrinsics;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// The convolution methods are written once per vector width behind a JIT-time dispatch. The test assembly runs
/// itself as a child process (<c>--conv-probe</c>) at the default width, with <c>DOTNET_PreferredVectorBitWidth=256</c>
/// (Vector512 off) and with <c>DOTNET_EnableAVX2=0</c> (only Vector128): each child trains convolutional networks a few
/// steps on fixed data and prints their losses, parameters, gradients and predictions. Every width agrees with the
/// others within 1e-4, and a width gives the same bits every time.
/// </summary>
public class ConvWidthTests
{
    /// <summary>The networks of the probe: odd sizes, padding, strides, both poolings, tanh, sigmoid, ReLU and linear convolutions, a split batch, Winograd inference.</summary>
    private static IEnumerable<ICompiledNetwork> Networks()
        => new ICompiledNetwork[] { new ConvStrideNet(3), new ConvMaxPoolNet(4), new PoolFirstNet(5), new ConvSplitNet(6), new ConvBatchNormNet(7), new WinogradNet(8), new DirectPoolNet(9) };

    /// <summary>One run: per network a line "name v v v …" of its three losses, then its parameters, gradients and Predict outputs of three rows.</summary>
    private static List<string> Run()
    {
        var lines = new List<string>();
        foreach (var net in Networks())
        {
            net.TrainingThreads = 1;
            var rng = new Random(net.InputSize);
            var x = new float[net.BatchSize * net.InputSize];
            var labels = new int[net.BatchSize];
            var values = new List<float>();
            for (int step = 0; step < 3; step++)
            {
                for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
                for (int i = 0; i < labels.Length; i++) labels[i] = rng.Next(net.OutputSize == 1 ? 2 : net.OutputSize);
                values.Add(net.TrainBatch(x, labels));
            }
            values.AddRange(net.Parameters.ToArray());
            values.AddRange(net.Gradients.ToArray());
            var y = new float[net.OutputSize];
            for (int r = 0; r < 3; r++)
            {
                net.Predict(x.AsSpan(r * net.InputSize, net.InputSize), y);
                values.AddRange(y);
            }
            lines.Add(net.GetType().Name + " " + string.Join(" ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        return lines;
    }

    /// <summary>The child's side: the widths line, whether a second run in the same process gave the same bits, then the first run's lines.</summary>
    internal static int Probe()
    {
        Console.WriteLine($"Vector512.IsHardwareAccelerated {Vector512.IsHardwareAccelerated}; Vector256.IsHardwareAccelerated {Vector256.IsHardwareAccelerated}; Vector128.IsHardwareAccelerated {Vector128.IsHardwareAccelerated}");
        var first = Run();
        Console.WriteLine("repeat identical " + first.SequenceEqual(Run()));
        foreach (var line in first) Console.WriteLine(line);
        return 0;
    }

    private static string[] RunProbe(string? setting, string? value)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("--conv-probe");
        if (setting is not null) start.Environment[setting] = value;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), "the probe did not finish within 5 minutes");
        Assert.True(process.ExitCode == 0, $"the probe failed ({process.ExitCode}): {error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int networks = Networks().Count();
        Assert.True(lines.Length == 2 + networks, $"the probe printed {lines.Length} lines: {output}");
        Assert.Equal("repeat identical True", lines[1]);
        return lines;
    }

    private static void AssertAgree(string[] a, string[] b, string what)
    {
        for (int k = 2; k < a.Length; k++)
        {
            var x = a[k].Split(' ');
            var y = b[k].Split(' ');
            Assert.Equal(x[0], y[0]);
            Assert.Equal(x.Length, y.Length);
            for (int i = 1; i < x.Length; i++)
            {
                double u = double.Parse(x[i], CultureInfo.InvariantCulture), v = double.Parse(y[i], CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(u - v) <= 1e-4 * Math.Max(1, Math.Abs(u)), $"{x[0]}, value {i}: {u:R} ({a[0]}) against {v:R} ({b[0]}), {what}");
            }
        }
    }

    [Fact]
    public void EveryWidthAgreesWithinToleranceAndEachRunsTheSameBitsEveryTime()
    {
        var preferred = RunProbe(null, null);
        var again = RunProbe(null, null);
        var v256 = RunProbe("DOTNET_PreferredVectorBitWidth", "256");
        var v128 = RunProbe("DOTNET_EnableAVX2", "0");
        Assert.Contains($"Vector512.IsHardwareAccelerated {Vector512.IsHardwareAccelerated};", preferred[0]);
        Assert.Contains("Vector512.IsHardwareAccelerated False;", v256[0]);
        Assert.Contains("Vector256.IsHardwareAccelerated False;", v128[0]);
        Assert.Contains("Vector128.IsHardwareAccelerated True", v128[0]);
        Assert.Equal(preferred, again);   // bit-identical from one process to the next
        AssertAgree(preferred, v256, "Vector256 against the preferred width");
        AssertAgree(preferred, v128, "Vector128 against the preferred width");
        AssertAgree(v256, v128, "Vector128 against Vector256");
    }
}
