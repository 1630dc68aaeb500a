using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;
using CompiledNet.CompilerServices;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// The generated kernels give the same results, within float rounding, whatever the CPU offers: the test assembly
/// runs itself as a child process (<see cref="Program"/>) with AVX-512, AVX2 (and with it FMA: .NET 10 has no
/// separate switch for FMA) or all hardware intrinsics switched off through the runtime's DOTNET_Enable* settings,
/// and compares every parameter after three training steps and the predictions with the run that has them all.
/// Without AVX2, Vector256 runs in the runtime's software fallback and Kernels.MultiplyAdd multiplies and adds.
/// </summary>
public class InstructionSetTests
{
    private static List<string> Probe(params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("--simd-probe");
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the probe did not finish within 2 minutes");
        Assert.True(process.ExitCode == 0, $"the probe failed ({process.ExitCode}): {error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.True(lines.Count > 1000, $"the probe printed {lines.Count} lines: {output[..Math.Min(500, output.Length)]}");
        return lines;
    }

    public static IEnumerable<object[]> Settings() => new[]
    {
        new object[] { "DOTNET_EnableAVX512", "AVX-512: False" },
        new object[] { "DOTNET_EnableAVX2", "Vector256 accelerated: False; FMA: False" },
        new object[] { "DOTNET_EnableHWIntrinsic", "Vector256 accelerated: False" },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void ResultsMatchWithAnInstructionSetSwitchedOff(string setting, string expectedHeader)
    {
        var full = Probe();
        var reduced = Probe((setting, "0"));
        Assert.Contains(expectedHeader, reduced[0]);
        Assert.Equal(full.Count, reduced.Count);
        double worst = 0;
        for (int i = 1; i < full.Count; i++)
        {
            var a = full[i].Split(' ');
            var b = reduced[i].Split(' ');
            Assert.Equal(a.Length, b.Length);
            for (int k = 0; k < a.Length; k++)
            {
                if (!double.TryParse(a[k], NumberStyles.Float, CultureInfo.InvariantCulture, out double u)) { Assert.Equal(a[k], b[k]); continue; }
                double v = double.Parse(b[k], CultureInfo.InvariantCulture);
                double difference = Math.Abs(u - v) / Math.Max(1e-3, Math.Abs(u));
                worst = Math.Max(worst, difference);
                Assert.True(difference <= 1e-4, $"{setting}=0, line {i}: {a[k]} against {b[k]}");
            }
        }
        Assert.True(worst < 1e-4);
    }
}
