using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

// Wide networks with every option, to push each generated method to its largest form.
[Network(Input = 784, BatchSize = 64, InputDropout = 0.1f)]
[Dense(1023, Activation.ReLU, BatchNorm = true, Dropout = 0.2f, DropConnect = 0.1f)]
[Dense(517, Activation.Maxout, Pieces = 4, Dropout = 0.2f)]
[Dense(257, Activation.Tanh, BatchNorm = true)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
[Regularization(L1 = 1e-5f, L2 = 1e-4f)]
public partial class WideEverythingNet { }

[Network(Input = 4095, BatchSize = 256)]
[Dense(2047, Activation.Sigmoid)]
[Dense(31, Activation.Sigmoid)]
[Loss(LossKind.LogLoss)]
[Optimizer(OptimizerKind.Nesterov, LearningRate = 0.01f, Decay = 0.9f)]
public partial class WideSigmoidNet { }

// The largest convolutions of the checked networks: a 7×7 kernel over a 3×64×64 image, 64 and 128 filters, a strided (4×4, stride 2)
// padded convolution whose input gradient is folded back, pooling of both kinds.
[Network(Channels = 3, Height = 64, Width = 64, BatchSize = 8)]
[Conv2D(64, Kernel = 7, Padding = 3)]
[MaxPool(2)]
[Conv2D(128, Kernel = 4, Stride = 2, Padding = 1, Activation = Activation.Sigmoid)]
[AvgPool(4)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
public partial class WideConvNet { }

/// <summary>
/// Every generated method stays inside the budget in which RyuJIT optimises a method fully. The JIT falls back to
/// MinOpts (no register allocation across the loop, no CSE, no hoisting: several times slower kernels) for a method
/// with more than 60,000 IL bytes, 20,000 IL instructions, 2,000 basic blocks or 2,000 locals
/// (DEFAULT_MIN_OPTS_* in the JIT's compiler.cpp). An IL instruction takes at least one byte, so a method under
/// 20,000 IL bytes is under both size limits; we hold every method to that, and to 512 locals.
/// </summary>
public class JitBudgetTests
{
    public const int MaxIlBytes = 20_000, MaxLocals = 512;

    public static IEnumerable<object[]> NetworkTypes() =>
        typeof(JitBudgetTests).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<NetworkAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => new object[] { t.FullName! });

    [Theory]
    [MemberData(nameof(NetworkTypes))]
    public void EveryGeneratedMethodStaysWithinTheJitsOptimisationBudget(string typeName)
    {
        var type = typeof(JitBudgetTests).Assembly.GetType(typeName)!;
        var methods = type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Concat<MethodBase>(type.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => (Method: m, Body: m.GetMethodBody()))
            .Where(m => m.Body is not null)
            .ToList();
        Assert.NotEmpty(methods);
        foreach (var (method, body) in methods)
        {
            int il = body!.GetILAsByteArray()!.Length;
            Assert.True(il < MaxIlBytes, $"{type.Name}.{method.Name} has {il} IL bytes (budget {MaxIlBytes}).");
            Assert.True(body.LocalVariables.Count < MaxLocals, $"{type.Name}.{method.Name} has {body.LocalVariables.Count} locals (budget {MaxLocals}).");
        }
    }

    [Fact]
    public void TheWideNetworksAreAmongTheCheckedOnes()
    {
        var names = NetworkTypes().Select(o => (string)o[0]).ToList();
        Assert.Contains(typeof(WideEverythingNet).FullName, names);
        Assert.Contains(typeof(WideSigmoidNet).FullName, names);
        Assert.Contains(typeof(SpiralNet).FullName, names);
        Assert.Contains(typeof(WideConvNet).FullName, names);
    }
}
