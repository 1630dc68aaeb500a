using System;
using System.Collections.Generic;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// The generated optimizer steps against the published update rules (momentum, Nesterov, Adagrad, RMSProp, Adam as
/// docs/training.md states them) written out in double precision. The test networks
/// are 3 → 9 linear layers: parameters 0..26 are weights, 27..35 biases.
/// </summary>
public class OptimizerTests
{
    private const int Weights = 27, Count = 36;

    /// <summary>Straightforward double-precision optimizers, one formula each.</summary>
    private sealed class Reference
    {
        private readonly OptimizerKind _kind;
        private readonly double _eta, _gamma, _rho, _beta1, _beta2, _epsilon;
        private readonly double[] _s0 = new double[Count], _s1 = new double[Count];
        private int _t;

        public Reference(OptimizerKind kind, double eta, double gamma = 0.9, double rho = 0.9, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
            => (_kind, _eta, _gamma, _rho, _beta1, _beta2, _epsilon) = (kind, eta, gamma, rho, beta1, beta2, epsilon);

        public void Step(double[] p, double[] g)
        {
            _t++;
            for (int j = 0; j < p.Length; j++)
            {
                switch (_kind)
                {
                    case OptimizerKind.Sgd:
                        p[j] -= _eta * g[j];
                        break;
                    case OptimizerKind.Momentum:
                        _s0[j] = _gamma * _s0[j] + _eta * g[j];
                        p[j] -= _s0[j];
                        break;
                    case OptimizerKind.Nesterov:
                        // On the look-ahead parameters φ = θ − γδ, whose gradient g is: θ ← θ − δ_new, φ_new = θ_new − γδ_new.
                        double old = _s0[j];
                        _s0[j] = _gamma * old + _eta * g[j];
                        double theta = p[j] + _gamma * old;
                        theta -= _s0[j];
                        p[j] = theta - _gamma * _s0[j];
                        break;
                    case OptimizerKind.Adagrad:
                        _s0[j] += g[j] * g[j];
                        p[j] -= _eta / Math.Sqrt(_s0[j] + _epsilon) * g[j];
                        break;
                    case OptimizerKind.RmsProp:
                        _s0[j] = _rho * _s0[j] + (1 - _rho) * g[j] * g[j];
                        p[j] -= _eta / Math.Sqrt(_s0[j] + _epsilon) * g[j];
                        break;
                    case OptimizerKind.Adam:
                        _s0[j] = _beta1 * _s0[j] + (1 - _beta1) * g[j];
                        _s1[j] = _beta2 * _s1[j] + (1 - _beta2) * g[j] * g[j];
                        double mHat = _s0[j] / (1 - Math.Pow(_beta1, _t));
                        double vHat = _s1[j] / (1 - Math.Pow(_beta2, _t));
                        p[j] -= _eta * mHat / (Math.Sqrt(vHat) + _epsilon);
                        break;
                }
            }
        }
    }

    public static IEnumerable<object[]> Optimizers()
    {
        yield return new object[] { OptimizerKind.Sgd, new SgdStepNet(), new Reference(OptimizerKind.Sgd, 0.05) };
        yield return new object[] { OptimizerKind.Momentum, new MomentumStepNet(), new Reference(OptimizerKind.Momentum, 0.05, gamma: 0.8) };
        yield return new object[] { OptimizerKind.Nesterov, new NesterovStepNet(), new Reference(OptimizerKind.Nesterov, 0.05, gamma: 0.8) };
        yield return new object[] { OptimizerKind.Adagrad, new AdagradStepNet(), new Reference(OptimizerKind.Adagrad, 0.05, epsilon: 1e-6) };
        yield return new object[] { OptimizerKind.RmsProp, new RmsPropStepNet(), new Reference(OptimizerKind.RmsProp, 0.05, rho: 0.85, epsilon: 1e-6) };
        yield return new object[] { OptimizerKind.Adam, new AdamStepNet(), new Reference(OptimizerKind.Adam, 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-6) };
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void StepMatchesTheFormulaOver25Steps(OptimizerKind kind, ITrainable net, object reference)
    {
        var rng = new Random((int)kind + 1);
        var p = new double[Count];
        for (int j = 0; j < Count; j++) net.Parameters[j] = (float)(p[j] = rng.NextDouble() * 2 - 1);
        var g = new double[Count];
        for (int step = 1; step <= 25; step++)
        {
            for (int j = 0; j < Count; j++) net.Gradients[j] = (float)(g[j] = rng.NextDouble() * 2 - 1);
            net.ApplyGradients();
            ((Reference)reference).Step(p, g);
            for (int j = 0; j < Count; j++)
                Assert.True(Math.Abs(net.Parameters[j] - p[j]) <= 1e-5 * Math.Max(Math.Abs(p[j]), 0.1),
                    $"{kind}, step {step}, parameter {j}: {net.Parameters[j]} vs {p[j]}");
        }
        Assert.Equal(25, net.Step);
    }

    [Fact]
    public void AdamFirstStepIsBiasCorrected_MovesEachParameterByAboutEta()
    {
        // At t = 1, m̂ = g and v̂ = g², so the step is η·g/(|g| + ε): η times the sign, whatever g's size.
        var net = new AdamStepNet();
        var before = net.Parameters.ToArray();
        for (int j = 0; j < Count; j++) net.Gradients[j] = (j % 2 == 0 ? 1 : -1) * (0.001f + j);
        net.ApplyGradients();
        for (int j = 0; j < Count; j++)
        {
            double g = net.Gradients[j];
            double expected = before[j] - 0.05 * g / (Math.Abs(g) + 1e-6);
            Assert.Equal(expected, net.Parameters[j], 6);
        }
    }

    /// <summary>Least squares y = X·w* + b* on 64 examples of 4 features: the full-batch gradient of mean (ŷ − y)².</summary>
    private static (float[] X, float[] Y, double[] W) LeastSquares()
    {
        var rng = new Random(7);
        double[] w = { 1.5, -2.0, 0.5, 0.25, 0.3 }; // last: bias
        var x = new float[64 * 4];
        var y = new float[64];
        for (int r = 0; r < 64; r++)
        {
            double s = w[4];
            for (int i = 0; i < 4; i++) { x[r * 4 + i] = (float)(rng.NextDouble() * 2 - 1); s += w[i] * x[r * 4 + i]; }
            y[r] = (float)s;
        }
        return (x, y, w);
    }

    [Fact]
    public void NesterovEqualsTheLiteralLookAheadForm()
    {
        // Literal: δ_t = γδ_{t−1} + η∇L(θ − γδ_{t−1}), θ_t = θ_{t−1} − δ_t, with a second gradient evaluation.
        // The generated step stores φ = θ − γδ instead; θ is recovered as φ + γδ from its state.
        var (x, y, _) = LeastSquares();
        var net = new LsqNesterov(3);
        var theta = new double[5];
        for (int j = 0; j < 5; j++) theta[j] = net.Parameters[j];
        var delta = new double[5];
        const double eta = 0.05, gamma = 0.9;
        for (int step = 1; step <= 30; step++)
        {
            var look = new double[5];
            for (int j = 0; j < 5; j++) look[j] = theta[j] - gamma * delta[j];
            var g = new double[5];
            for (int r = 0; r < 64; r++)
            {
                double e = look[4] - y[r];
                for (int i = 0; i < 4; i++) e += look[i] * x[r * 4 + i];
                for (int i = 0; i < 4; i++) g[i] += 2 * e * x[r * 4 + i] / 64;
                g[4] += 2 * e / 64;
            }
            for (int j = 0; j < 5; j++) { delta[j] = gamma * delta[j] + eta * g[j]; theta[j] -= delta[j]; }

            net.TrainBatch(x, y);
            for (int j = 0; j < 5; j++)
            {
                double recovered = net.Parameters[j] + gamma * net.OptimizerState[j];
                Assert.True(Math.Abs(recovered - theta[j]) <= 1e-4 * Math.Max(1, Math.Abs(theta[j])), $"step {step}, θ[{j}]: {recovered} vs {theta[j]}");
                Assert.Equal(delta[j], net.OptimizerState[j], 4);
            }
        }
    }

    public static IEnumerable<object[]> ConvexCases()
    {
        yield return new object[] { "SGD", new LsqSgd(1), 400 };
        yield return new object[] { "momentum", new LsqMomentum(1), 400 };
        yield return new object[] { "Nesterov", new LsqNesterov(1), 400 };
        yield return new object[] { "Adagrad", new LsqAdagrad(1), 1500 };
        yield return new object[] { "RMSProp", new LsqRmsProp(1), 1500 };
        yield return new object[] { "Adam", new LsqAdam(1), 1500 };
    }

    [Theory]
    [MemberData(nameof(ConvexCases))]
    public void EveryOptimizerConvergesToTheLeastSquaresOptimum(string name, ITrainable net, int steps)
    {
        var (x, y, w) = LeastSquares();
        var schedule = net.DeclaredSchedule ?? LearningRateSchedule.Constant;
        float initial = net.LearningRate;
        for (int step = 0; step < steps; step++)
        {
            net.LearningRate = schedule.RateAt(step, initial); // one "epoch" per full-batch step
            net.TrainBatch(x, y);
        }
        var p = net.Parameters;
        double recovered = 0;
        for (int j = 0; j < 5; j++) recovered = Math.Max(recovered, Math.Abs(p[j] + (net is LsqNesterov ? 0.9f * net.OptimizerState[j] : 0) - w[j]));
        Assert.True(recovered < 2e-3, $"{name}: max |w − w*| = {recovered} after {steps} steps");
    }

    [Fact]
    public void L1ShiftsWeightsTowardZero_CrossingsLandOnExactZero_ZerosStay_BiasesUntouched()
    {
        var net = new L1SgdNet(); // η = 0.5, λ = 0.2: shift 0.1
        var p = net.Parameters;
        p.Clear();
        p[0] = 0.35f; p[1] = -0.35f; p[2] = 0.05f; p[3] = -0.05f; p[4] = 0f; p[26] = 0.08f;
        p[27] = 0.05f; p[35] = -0.02f; // biases
        net.Gradients.Clear();
        net.ApplyGradients();
        Assert.Equal(0.25f, p[0], 6);
        Assert.Equal(-0.25f, p[1], 6);
        Assert.Equal(0, BitConverter.SingleToInt32Bits(p[2])); // +0.0f exactly
        Assert.Equal(0, BitConverter.SingleToInt32Bits(p[3]));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(p[4]));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(p[26])); // scalar tail too
        Assert.Equal(0.05f, p[27]);
        Assert.Equal(-0.02f, p[35]);
    }

    [Fact]
    public void CoupledL2ShrinksWeightsBy2EtaLambda_BiasesUntouched()
    {
        var net = new L2SgdNet(); // η = 0.05, λ = 0.1: w ← w − η·2λw = 0.99·w with g = 0
        var before = net.Parameters.ToArray();
        for (int j = Weights; j < Count; j++) net.Parameters[j] = before[j] = 0.5f;
        net.Gradients.Clear();
        net.ApplyGradients();
        for (int j = 0; j < Weights; j++) Assert.Equal(before[j] * 0.99, net.Parameters[j], 6);
        for (int j = Weights; j < Count; j++) Assert.Equal(0.5f, net.Parameters[j]);
    }

    [Fact]
    public void DecoupledWeightDecayMultipliesWeightsByOneMinusLambdaEvenUnderAdam()
    {
        var net = new DecayAdamNet(); // λ = 0.01; with g = 0 Adam's own step is 0
        var before = net.Parameters.ToArray();
        net.Gradients.Clear();
        net.ApplyGradients();
        for (int j = 0; j < Weights; j++) Assert.Equal(before[j] * 0.99f, net.Parameters[j], 6);
    }

    [Fact]
    public void CoupledL2UnderAdamIsRescaledByAdam_NotAPlainShrink()
    {
        // With g = 0 the only gradient is 2λw; Adam's first step normalises it: Δ = η·sign(w), independent of |w|.
        var net = new L2AdamNet();
        var before = net.Parameters.ToArray();
        net.Gradients.Clear();
        net.ApplyGradients();
        for (int j = 0; j < Weights; j++)
            Assert.Equal(before[j] - 0.05 * Math.Sign(before[j]), net.Parameters[j], 5);
    }

    [Fact]
    public void DeclaredStepDecayHalvesTheRateEveryTwoEpochs()
    {
        var schedule = new StepDecayNet().DeclaredSchedule!;
        Assert.Equal(new[] { 0.1f, 0.1f, 0.05f, 0.05f, 0.025f }, new[] { 0, 1, 2, 3, 4 }.Select(e => schedule.RateAt(e, 0.1f)));
        Assert.Null(new SgdStepNet().DeclaredSchedule);
    }

    [Fact]
    public void TrainingStepAllocatesNothingForAnyOptimizer()
    {
        var nets = new ITrainable[] { new SgdStepNet(), new MomentumStepNet(), new NesterovStepNet(), new AdagradStepNet(), new RmsPropStepNet(), new AdamStepNet(), new L1SgdNet(), new L2AdamNet(), new DecayAdamNet() };
        var xs = new float[4 * 3];
        var ys = new float[4 * 9];
        for (int i = 0; i < xs.Length; i++) xs[i] = i * 0.1f;
        Assert.Equal(0, Allocations.Of(() =>
        {
            foreach (var net in nets)
                for (int i = 0; i < 10; i++) net.TrainBatch(xs, ys);
        }));
    }
}

public class ScheduleTests
{
    [Fact]
    public void TrainerAppliesTheDeclaredStepDecayAndReportsEachEpochsRate()
    {
        var data = new Dataset(new float[8 * 3], 3, new int[8], 9);
        var rates = new List<float>();
        var net = new StepDecayNet(); // η = 0.1, ×0.5 every 2 epochs
        Trainer.Train(net, data, new TrainingOptions { Epochs = 5 }, new SynchronousProgress<EpochReport>(r => rates.Add(r.LearningRate)));
        Assert.Equal(new[] { 0.1f, 0.1f, 0.05f, 0.05f, 0.025f }, rates);
    }

    [Fact]
    public void AScheduleInTheOptionsOverridesTheDeclaredOne()
    {
        var data = new Dataset(new float[8 * 3], 3, new int[8], 9);
        var rates = new List<float>();
        var net = new StepDecayNet();
        Trainer.Train(net, data, new TrainingOptions { Epochs = 3, Schedule = LearningRateSchedule.Exponential(0.1f) },
            new SynchronousProgress<EpochReport>(r => rates.Add(r.LearningRate)));
        Assert.Equal(0.1f, rates[0]);
        Assert.Equal(0.01f, rates[1], 6);
        Assert.Equal(0.001f, rates[2], 6);
    }

    [Fact]
    public void WithoutAScheduleTheRateIsLeftAsTheUserSetIt()
    {
        var data = new Dataset(new float[8 * 3], 3, new int[8], 9);
        var net = new SgdStepNet { LearningRate = 0.3f };
        var result = Trainer.Train(net, data, new TrainingOptions { Epochs = 2 });
        Assert.All(result.Epochs, r => Assert.Equal(0.3f, r.LearningRate));
    }

    public static IEnumerable<object[]> DecayingStateOptimizers()
    {
        yield return new object[] { OptimizerKind.Momentum, new MomentumStepNet() };
        yield return new object[] { OptimizerKind.Nesterov, new NesterovStepNet() };
        yield return new object[] { OptimizerKind.RmsProp, new RmsPropStepNet() };
        yield return new object[] { OptimizerKind.Adam, new AdamStepNet() };
    }

    /// <summary>
    /// State that decays toward zero under a zero gradient is stored as 0 once it falls below 1e-30, so it never
    /// becomes subnormal (on Intel cores every operation on a subnormal takes a microcode assist); state above that is
    /// kept and decays as the formula says. Every slot, in the vector body and the scalar tail.
    /// </summary>
    [Theory]
    [MemberData(nameof(DecayingStateOptimizers))]
    public void DecayingStateIsStoredAsZeroBeforeItCanBecomeSubnormal(OptimizerKind kind, ITrainable net)
    {
        int count = net.ParameterCount;
        var state = net.OptimizerState;
        int slots = state.Length / count;
        for (int j = 0; j < state.Length; j++) state[j] = (j / count % 2 == 0 ? 1 : -1) * (j % 2 == 0 ? 2e-38f : 1e-31f);
        if (kind == OptimizerKind.RmsProp) for (int j = 0; j < state.Length; j++) state[j] = Math.Abs(state[j]);
        if (kind == OptimizerKind.Adam) for (int j = count; j < state.Length; j++) state[j] = Math.Abs(state[j]);
        net.Gradients.Clear();
        net.ApplyGradients();
        for (int j = 0; j < state.Length; j++)
            Assert.True(state[j] == 0f, $"{kind}: slot {j / count}, parameter {j % count} holds {state[j]:R}");

        for (int j = 0; j < state.Length; j++) state[j] = 1e-20f;
        net.ApplyGradients();
        for (int j = 0; j < state.Length; j++)
            Assert.True(state[j] > 1e-21f && state[j] < 1e-20f, $"{kind}: a state of 1e-20 decayed to {state[j]:R}, expected it kept and decayed");
        Assert.True(slots >= 1);
    }
}
