using System.Threading.Tasks;
using Xunit;
using Verify = CompiledNet.CodeFixes.Tests.FixTest<CompiledNet.CodeFixes.RemoveArgumentCodeFixProvider>;

namespace CompiledNet.CodeFixes.Tests;

public class RemoveArgumentTests
{
    [Fact]
    public Task CNET0017_RemovesTheUnusedHyperparameterAndItsComma() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        [Optimizer(OptimizerKind.Sgd, {|CNET0017:Beta1 = 0.8f|}, LearningRate = 0.1f)]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        [Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
        public partial class Net { }
        """,
        "Remove 'Beta1 = 0.8f', which this optimizer does not use");

    [Fact]
    public Task CNET0017_FixAll_RemovesEveryUnusedHyperparameter() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        [Optimizer(OptimizerKind.Momentum,
            LearningRate = 0.1f,
            {|CNET0017:Rho = 0.95f|},
            {|CNET0017:Epsilon = 1e-6f|})]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        [Optimizer(OptimizerKind.Momentum,
            LearningRate = 0.1f)]
        public partial class Net { }
        """,
        null);

    [Fact]
    public Task CNET0024_RemovesDropoutFromTheOutputLayerOnly() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(16, Activation.ReLU, Dropout = 0.5f)]
        [Dense(3, Activation.Softmax, {|CNET0024:Dropout = 0.5f|})]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(16, Activation.ReLU, Dropout = 0.5f)]
        [Dense(3, Activation.Softmax)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        public partial class Net { }
        """,
        "Remove 'Dropout = 0.5f' from the output layer");

    [Fact]
    public Task CNET0027_RemovesBiasFromTheBatchNormalisedLayer() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(16, Activation.ReLU, {|CNET0027:Bias = true|}, BatchNorm = true)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(16, Activation.ReLU, BatchNorm = true)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        "Remove 'Bias = true': batch normalisation's β replaces the bias");
}
