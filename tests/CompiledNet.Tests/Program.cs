using System;
using System.Globalization;
using System.Linq;
using CompiledNet.Tests.Networks;

namespace CompiledNet.Tests;

/// <summary>
/// Entry point of the test assembly. Test runners never call it; <c>dotnet CompiledNet.Tests.dll --simd-probe</c>
/// trains a few networks three steps on fixed data and prints their parameters and predictions, so
/// <see cref="Generated.InstructionSetTests"/> can run the same code with instruction sets switched off;
/// <c>--gemm-probe</c> checks Gemm and PredictBatch at the vector width the process runs with (<see cref="Runtime.GemmWidthTests"/>);
/// <c>--conv-probe</c> trains convolutional networks at that width (<see cref="Generated.ConvWidthTests"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "--gemm-probe") return Runtime.GemmWidthTests.Probe();
        if (args.Length == 1 && args[0] == "--conv-probe") return Generated.ConvWidthTests.Probe();
        if (args.Length != 1 || args[0] != "--simd-probe") return 0;
        Console.WriteLine($"# Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}; Vector256 accelerated: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}; Vector128 accelerated: {System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated}; FMA: {System.Runtime.Intrinsics.X86.Fma.IsSupported}; AVX-512: {System.Runtime.Intrinsics.X86.Avx512F.IsSupported}");
        foreach (var net in new ITrainable[] { new OddSizesNet(3), new SpiralNet(4), new BatchNormNet(5), new DropoutNet(6), new SplitNet(7) })
        {
            net.TrainingThreads = 1;
            var rng = new Random(net.InputSize);
            var x = new float[net.BatchSize * net.InputSize];
            var labels = new int[net.BatchSize];
            for (int step = 0; step < 3; step++)
            {
                for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
                for (int i = 0; i < labels.Length; i++) labels[i] = rng.Next(net.OutputSize == 1 ? 2 : net.OutputSize);
                Console.WriteLine($"{net.GetType().Name} loss {net.TrainBatch(x, labels).ToString("R", CultureInfo.InvariantCulture)}");
            }
            foreach (var p in net.Parameters.ToArray()) Console.WriteLine(p.ToString("R", CultureInfo.InvariantCulture));
            var y = new float[net.OutputSize];
            for (int r = 0; r < 3; r++)
            {
                net.Predict(x.AsSpan(r * net.InputSize, net.InputSize), y);
                Console.WriteLine(string.Join(" ", y.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            }
            // Inputs that are exactly zero (every third, and the first five): Predict skips their weight rows.
            var sparse = x.AsSpan(0, net.InputSize).ToArray();
            for (int i = 0; i < sparse.Length; i++) if (i % 3 == 0 || i < 5) sparse[i] = 0f;
            net.Predict(sparse, y);
            Console.WriteLine(string.Join(" ", y.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        return 0;
    }
}
