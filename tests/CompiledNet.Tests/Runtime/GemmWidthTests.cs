using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using CompiledNet.CompilerServices;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Runtime;

/// <summary>
/// Gemm and the PredictBatch built on it are right at every vector width the JIT can choose: the test assembly runs
/// itself as a child process (<c>--gemm-probe</c>) by default, with <c>DOTNET_PreferredVectorBitWidth=256</c>
/// (Vector512 off) and with <c>DOTNET_EnableAVX2=0</c> (only Vector128 accelerated, the stand-in for Arm64). The child
/// prints which widths are accelerated, the worst relative errors of Gemm against a double-precision reference and of
/// PredictBatch against Predict, and fingerprints of the bits of Kernels.SoftmaxRows on fixed logits and of
/// Kernels.LargestOfPairs on fixed rows (which must not depend on the width). A fourth child runs with
/// <c>DOTNET_PreferredVectorBitWidth=128</c>: Vector128 with FMA, closer to an Arm64 core than the x64 without AVX2.
/// </summary>
public class GemmWidthTests
{
    /// <summary>The child's side: the header line, then "gemm &lt;worst&gt;", "predict &lt;worst&gt;", "softmax &lt;fingerprint&gt;" and "pool &lt;fingerprint&gt;".</summary>
    internal static int Probe()
    {
        Console.WriteLine($"Vector512.IsHardwareAccelerated {Vector512.IsHardwareAccelerated}; Vector256.IsHardwareAccelerated {Vector256.IsHardwareAccelerated}; "
            + $"Vector128.IsHardwareAccelerated {Vector128.IsHardwareAccelerated}; PanelWidth {Gemm.PanelWidth}");
        double gemm = 0;
        foreach (var activation in new[] { GemmActivation.Identity, GemmActivation.ReLU })
            foreach (var (k, n) in new[] { (13, 17), (129, 10), (300, 130), (784, 70) })
                foreach (int rows in new[] { 1, 5, 6, 7, 67, 200 })
                    gemm = Math.Max(gemm, GemmTests.Run(rows, k, n, activation, bias: true, seed: rows + k + n));
        Console.WriteLine("gemm " + gemm.ToString("R", CultureInfo.InvariantCulture));
        double predict = 0;
        foreach (var net in new INetwork[] { new OddSizesNet(2), new SpiralNet(3), new NoBiasNet(4) })
        {
            var rng = new Random(net.InputSize);
            const int rows = 131;
            var inputs = new float[rows * net.InputSize];
            for (int j = 0; j < inputs.Length; j++) inputs[j] = (float)(rng.NextDouble() * 4 - 2);
            var batch = new float[rows * net.OutputSize];
            net.PredictBatch(inputs, batch);
            var one = new float[net.OutputSize];
            for (int r = 0; r < rows; r++)
            {
                net.Predict(inputs.AsSpan(r * net.InputSize, net.InputSize), one);
                for (int k = 0; k < one.Length; k++)
                    predict = Math.Max(predict, Math.Abs(one[k] - batch[r * net.OutputSize + k]) / Math.Max(1e-3, Math.Abs(one[k])));
            }
        }
        Console.WriteLine("predict " + predict.ToString("R", CultureInfo.InvariantCulture));
        Console.WriteLine("softmax " + SoftmaxFingerprint());
        Console.WriteLine("pool " + LargestOfPairsTests.Fingerprint());
        return 0;
    }

    /// <summary>FNV-1a over the bits of Kernels.SoftmaxRows on 37 rows of 10 fixed logits (370 values: whole vectors and a tail at every width).</summary>
    internal static string SoftmaxFingerprint()
    {
        var rng = new Random(37);
        var logits = new float[37 * 10];
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)(rng.NextDouble() * 200 - 100);
        var probabilities = new float[logits.Length];
        Kernels.SoftmaxRows(logits, 37, 10, probabilities);
        ulong hash = 14695981039346656037;
        foreach (float p in probabilities) hash = (hash ^ BitConverter.SingleToUInt32Bits(p)) * 1099511628211;
        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static string[] RunProbe(string? setting, string? value)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("--gemm-probe");
        if (setting is not null) start.Environment[setting] = value;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the probe did not finish within 2 minutes");
        Assert.True(process.ExitCode == 0, $"the probe failed ({process.ExitCode}): {error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 5, $"the probe printed {lines.Length} lines: {output}");
        return lines;
    }

    private static void AssertAccurate(string[] lines)
    {
        double gemm = double.Parse(lines[1]["gemm ".Length..], CultureInfo.InvariantCulture);
        double predict = double.Parse(lines[2]["predict ".Length..], CultureInfo.InvariantCulture);
        Assert.True(gemm <= 1e-5, $"{lines[0]}: Gemm's worst relative error {gemm:E2}");
        Assert.True(predict <= 1e-5, $"{lines[0]}: PredictBatch against Predict, worst relative difference {predict:E2}");
        Assert.Equal("softmax " + SoftmaxFingerprint(), lines[3]);   // the same bits as this process's width
        Assert.Equal("pool " + LargestOfPairsTests.Fingerprint(), lines[4]);
    }

    [Fact]
    public void AtTheDefaultWidthGemmAndPredictBatchAreAccurate()
    {
        var lines = RunProbe(null, null);
        Assert.Contains($"Vector512.IsHardwareAccelerated {Vector512.IsHardwareAccelerated};", lines[0]);
        Assert.Contains($"PanelWidth {Gemm.PanelWidth}", lines[0]);
        AssertAccurate(lines);
    }

    [Fact]
    public void WithVector512OffGemmUsesVector256AndIsAccurate()
    {
        var lines = RunProbe("DOTNET_PreferredVectorBitWidth", "256");
        Assert.Contains("Vector512.IsHardwareAccelerated False;", lines[0]);
        if (Vector256.IsHardwareAccelerated) Assert.Contains("PanelWidth 16", lines[0]);
        AssertAccurate(lines);
    }

    [Fact]
    public void WithVectorsOf128BitsPreferredGemmUsesVector128AndIsAccurate()
    {
        var lines = RunProbe("DOTNET_PreferredVectorBitWidth", "128");
        Assert.Contains("Vector256.IsHardwareAccelerated False;", lines[0]);
        Assert.Contains("Vector128.IsHardwareAccelerated True;", lines[0]);
        Assert.Contains("PanelWidth 8", lines[0]);
        AssertAccurate(lines);
    }

    [Fact]
    public void WithOnlyVector128GemmUsesVector128AndIsAccurate()
    {
        var lines = RunProbe("DOTNET_EnableAVX2", "0");
        Assert.Contains("Vector256.IsHardwareAccelerated False;", lines[0]);
        Assert.Contains("Vector128.IsHardwareAccelerated True;", lines[0]);
        Assert.Contains("PanelWidth 8", lines[0]);
        AssertAccurate(lines);
    }
}
