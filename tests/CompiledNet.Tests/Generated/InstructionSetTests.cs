using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;
using CompiledNet.CompilerServices;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// The generated kernels give the same results, within float rounding, at every vector width the JIT can choose: the
/// test assembly runs itself as a child process (<see cref="Program"/>) with the runtime's DOTNET_* settings narrowing
/// what it may use: Vector512 declined (<c>DOTNET_PreferredVectorBitWidth=256</c>, or AVX-512 off), only Vector128 with
/// FMA (<c>DOTNET_PreferredVectorBitWidth=128</c>, as on Arm64) or without it (AVX2 off, and with it FMA: .NET 10 has no
/// separate switch for FMA), or no hardware intrinsics at all.
/// Each child prints which widths were accelerated, so the test knows which kernels it ran, then every parameter after
/// three training steps and the predictions; these are compared with the run that has every instruction set.
/// </summary>
[Collection(nameof(InstructionSetCollection))]
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
        new object[] { "DOTNET_PreferredVectorBitWidth", "256", "Vector512 accelerated: False; Vector256 accelerated: True" },
        new object[] { "DOTNET_EnableAVX512", "0", "Vector512 accelerated: False; Vector256 accelerated: True" },
        // Only Vector128, with and without FMA: the 128-bit kernels carry a register block for each (VectorWidth.FusedCondition).
        new object[] { "DOTNET_PreferredVectorBitWidth", "128", "Vector512 accelerated: False; Vector256 accelerated: False; Vector128 accelerated: True; FMA: True" },
        new object[] { "DOTNET_EnableAVX2", "0", "Vector512 accelerated: False; Vector256 accelerated: False; Vector128 accelerated: True; FMA: False" },
        new object[] { "DOTNET_EnableHWIntrinsic", "0", "Vector512 accelerated: False; Vector256 accelerated: False; Vector128 accelerated: False" },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void ResultsMatchAtANarrowerVectorWidth(string setting, string value, string expectedHeader)
    {
        var full = Probe();
        var reduced = Probe((setting, value));
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
                Assert.True(difference <= 1e-4, $"{setting}={value}, line {i}: {a[k]} against {b[k]}");
            }
        }
        Assert.True(worst < 1e-4);
    }

    [Fact]
    public void ADefaultRunUsesTheWidthsThisProcessHasAccelerated()
    {
        var header = Probe()[0];
        Assert.Contains($"Vector512 accelerated: {Vector512.IsHardwareAccelerated}; Vector256 accelerated: {Vector256.IsHardwareAccelerated}; Vector128 accelerated: {Vector128.IsHardwareAccelerated}", header);
    }

    public static IEnumerable<object[]> Widths() => new[]
    {
        new object[] { "default", "", "" },
        new object[] { "Vector256", "DOTNET_PreferredVectorBitWidth", "256" },
        new object[] { "Vector128 with FMA", "DOTNET_PreferredVectorBitWidth", "128" },
        new object[] { "Vector128 without FMA", "DOTNET_EnableAVX2", "0" },
    };

    [Theory]
    [MemberData(nameof(Widths))]
    public void RunsAtOneWidthGiveTheSameBits(string width, string setting, string value)
    {
        var environment = setting.Length == 0 ? Array.Empty<(string, string)>() : new[] { (setting, value) };
        var first = Probe(environment);
        var second = Probe(environment);
        Assert.True(first.SequenceEqual(second), $"two runs at {width} differ");
    }
}

/// <summary>The child processes of <see cref="InstructionSetTests"/> run one at a time: each trains five networks.</summary>
[CollectionDefinition(nameof(InstructionSetCollection), DisableParallelization = true)]
public class InstructionSetCollection
{
}
