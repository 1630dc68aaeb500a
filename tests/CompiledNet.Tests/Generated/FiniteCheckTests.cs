using System;
using System.Collections.Generic;
using CompiledNet.Tests.Networks;
using Xunit;
using CompiledNet.CompilerServices;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// LastStepFinite: the optimizer step tests every value it writes, so it must agree with a scan of the parameters
/// for a NaN or an infinity anywhere: in a vector block, in a segment's scalar tail, in the biases, in any part of
/// a step shared among threads.
/// </summary>
[Collection(WorkerPoolCollection.Name)]
public class FiniteCheckTests
{
    public static IEnumerable<object[]> Optimizers()
    {
        yield return new object[] { "SGD", (Func<ITrainable>)(() => new SgdStepNet(1)) };
        yield return new object[] { "momentum", (Func<ITrainable>)(() => new MomentumStepNet(1)) };
        yield return new object[] { "Nesterov", (Func<ITrainable>)(() => new NesterovStepNet(1)) };
        yield return new object[] { "Adagrad", (Func<ITrainable>)(() => new AdagradStepNet(1)) };
        yield return new object[] { "RMSProp", (Func<ITrainable>)(() => new RmsPropStepNet(1)) };
        yield return new object[] { "Adam", (Func<ITrainable>)(() => new AdamStepNet(1)) };
        yield return new object[] { "SGD with L1", (Func<ITrainable>)(() => new L1SgdNet(1)) };
        yield return new object[] { "Adam with L2", (Func<ITrainable>)(() => new L2AdamNet(1)) };
    }

    private static void Step(ITrainable net, int poisoned, float value)
    {
        var g = net.Gradients;
        for (int j = 0; j < g.Length; j++) g[j] = 0.01f * ((j % 5) - 2);
        if (poisoned >= 0) g[poisoned] = value;
        net.ApplyGradients();
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ANonFiniteValueAnywhereInTheStepIsSeenAndAgreesWithAScan(string name, Func<ITrainable> create)
    {
        // 3 → 9: weights [0..27) are three vectors and a tail of 3, biases [27..36) one vector and a tail of 1.
        foreach (int at in new[] { 0, 13, 25, 27, 35 })
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                var net = create();
                Step(net, -1, 0);
                Assert.True(net.LastStepFinite, $"{name}: a finite step");
                Step(net, at, bad);
                Assert.False(net.LastStepFinite, $"{name}: gradient {bad} at {at}");
                Assert.False(Kernels.AllFinite(net.Parameters), $"{name}: the scan disagrees for {bad} at {at}");
            }
    }

    [Fact]
    public void AStepSharedAmongThreadsSeesANonFiniteValueInEveryPart()
    {
        // Over 65,536 parameters: each of the threads steps its own share of every segment.
        foreach (int threads in new[] { 2, 3 })
            foreach (int at in new[] { 0, ParallelAdamNet.ParameterCount / 2, ParallelAdamNet.ParameterCount - 1 })
            {
                var net = new ParallelAdamNet(1) { TrainingThreads = threads };
                Step(net, -1, 0);
                Assert.True(net.LastStepFinite);
                Step(net, at, float.NaN);
                Assert.False(net.LastStepFinite, $"{threads} threads, NaN gradient at {at}");
                Assert.False(Kernels.AllFinite(net.Parameters));
            }
    }

    [Fact]
    public void ANetworkThatWasNeverSteppedIsFinite() => Assert.True(new SgdStepNet(1).LastStepFinite);
}
