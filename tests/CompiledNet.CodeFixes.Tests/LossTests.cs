using System.Threading.Tasks;
using Xunit;
using Verify = CompiledNet.CodeFixes.Tests.FixTest<CompiledNet.CodeFixes.LossCodeFixProvider>;

namespace CompiledNet.CodeFixes.Tests;

public class LossTests
{
    [Theory]
    [InlineData("Activation.Softmax", 3, "SoftmaxCrossEntropy")]
    [InlineData("Activation.Sigmoid", 1, "LogLoss")]
    [InlineData("Activation.Linear", 1, "Quadratic")]
    [InlineData("Activation.ReLU", 2, "Quadratic")]
    public Task CNET0010_InsertsTheLossThatFitsTheOutputActivation(string activation, int units, string loss) => Verify.VerifyAsync(
        $$"""
        using CompiledNet;

        [{|CNET0010:Network(Input = 4)|}]
        [Dense(8, Activation.ReLU)]
        [Dense({{units}}, {{activation}})]
        public partial class Net { }
        """,
        $$"""
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(8, Activation.ReLU)]
        [Dense({{units}}, {{activation}})]
        [Loss(LossKind.{{loss}})]
        public partial class Net { }
        """,
        $"Add [Loss(LossKind.{loss})] for the {activation.Substring("Activation.".Length)} output layer");

    [Fact]
    public Task CNET0010_AttributesOnOneLine_TheLossJoinsThemOnThatLine() => Verify.VerifyAsync(
        """
        using CompiledNet;

        namespace App
        {
            [{|CNET0010:Network(Input = 2)|}][Dense(1, Activation.Sigmoid)] public partial class Net { }
        }
        """,
        """
        using CompiledNet;

        namespace App
        {
            [Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public partial class Net { }
        }
        """,
        "Add [Loss(LossKind.LogLoss)] for the Sigmoid output layer");

    [Fact]
    public Task CNET0010_WithoutUsingDirective_TheLossIsQualified() => Verify.VerifyAsync(
        """
        [{|CNET0010:CompiledNet.Network(Input = 2)|}]
        [CompiledNet.Dense(1, CompiledNet.Activation.Sigmoid)] // output
        public partial class Net { }
        """,
        """
        [CompiledNet.Network(Input = 2)]
        [CompiledNet.Dense(1, CompiledNet.Activation.Sigmoid)] // output
        [CompiledNet.Loss(CompiledNet.LossKind.LogLoss)]
        public partial class Net { }
        """,
        "Add [Loss(LossKind.LogLoss)] for the Sigmoid output layer");

    [Fact]
    public Task CNET0010_FixAll_EachNetworkGetsItsOwnLoss() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [{|CNET0010:Network(Input = 2)|}]
        [Dense(1, Activation.Sigmoid)]
        public partial class Binary { }

        [{|CNET0010:Network(Input = 2)|}]
        [Dense(3, Activation.Softmax)]
        public partial class ThreeClasses { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Binary { }

        [Network(Input = 2)]
        [Dense(3, Activation.Softmax)]
        [Loss(LossKind.SoftmaxCrossEntropy)]
        public partial class ThreeClasses { }
        """,
        null);

    [Fact]
    public Task CNET0010_TanhOutput_NoFix() => Verify.VerifyNoFixAsync(
        """
        using CompiledNet;

        [{|CNET0010:Network(Input = 2)|}]
        [Dense(1, Activation.Tanh)]
        public partial class Net { }
        """);

    [Fact]
    public Task CNET0011_SoftmaxCrossEntropyOnSigmoidOutput_BecomesLogLoss() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(3, Activation.Sigmoid)]
        [Loss({|CNET0011:LossKind.SoftmaxCrossEntropy|})]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(3, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        "Replace LossKind.SoftmaxCrossEntropy by LossKind.LogLoss, which fits the Sigmoid output layer");

    [Fact]
    public Task CNET0011_LogLossOnSoftmaxOutput_BecomesSoftmaxCrossEntropy_KeepingTheQualification() => Verify.VerifyAsync(
        """
        [CompiledNet.Network(Input = 2)]
        [CompiledNet.Dense(4, CompiledNet.Activation.Softmax)]
        [CompiledNet.Loss( {|CNET0011:CompiledNet.LossKind.LogLoss|} )]
        public partial class Net { }
        """,
        """
        [CompiledNet.Network(Input = 2)]
        [CompiledNet.Dense(4, CompiledNet.Activation.Softmax)]
        [CompiledNet.Loss( CompiledNet.LossKind.SoftmaxCrossEntropy )]
        public partial class Net { }
        """,
        "Replace LossKind.LogLoss by LossKind.SoftmaxCrossEntropy, which fits the Softmax output layer");

    [Fact]
    public Task CNET0011_LogLossOnLinearOutput_BecomesQuadratic() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Linear)]
        [Loss({|CNET0011:LossKind.LogLoss|})]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Linear)]
        [Loss(LossKind.Quadratic)]
        public partial class Net { }
        """,
        "Replace LossKind.LogLoss by LossKind.Quadratic, which fits the Linear output layer");

    [Fact]
    public Task CNET0011_CastToLossKind_IsReplacedByTheNamedMember() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss({|CNET0011:(LossKind)2|})]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        "Replace LossKind.SoftmaxCrossEntropy by LossKind.LogLoss, which fits the Sigmoid output layer");

    [Fact]
    public Task CNET0011_SoftmaxCrossEntropyOnOneUnitSoftmax_NoFix() => Verify.VerifyNoFixAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Softmax)]
        [Loss({|CNET0011:LossKind.SoftmaxCrossEntropy|})]
        public partial class Net { }
        """);

    [Fact]
    public Task CNET0019_QuadraticOnSigmoidOutput_BecomesLogLoss() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(4, Activation.Tanh)]
        [Dense(1, Activation.Sigmoid)]
        [Loss({|CNET0019:LossKind.Quadratic|})]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(4, Activation.Tanh)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        "Replace LossKind.Quadratic by LossKind.LogLoss, which fits the Sigmoid output layer");

    [Fact]
    public Task CNET0019_QuadraticOnTanhOutput_NoFix() => Verify.VerifyNoFixAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Tanh)]
        [Loss({|CNET0019:LossKind.Quadratic|})]
        public partial class Net { }
        """);
}
