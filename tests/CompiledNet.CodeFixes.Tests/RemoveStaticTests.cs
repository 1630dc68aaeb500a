using System.Threading.Tasks;
using Xunit;
using Verify = CompiledNet.CodeFixes.Tests.FixTest<CompiledNet.CodeFixes.RemoveStaticCodeFixProvider>;

namespace CompiledNet.CodeFixes.Tests;

public class RemoveStaticTests
{
    [Fact]
    public Task CNET0029_RemovesStaticBetweenOtherModifiers() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public {|CNET0029:static|} partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        "Remove 'static' from class 'Net'");

    [Fact]
    public Task CNET0029_StaticFirst_ItsIndentationAndCommentPassToTheNextModifier() => Verify.VerifyAsync(
        """
        using CompiledNet;

        namespace App
        {
            [Network(Input = 2)]
            [Dense(1, Activation.Sigmoid)]
            [Loss(LossKind.LogLoss)]
            /* the classifier */ {|CNET0029:static|} partial class Net
            {
                public static int Epochs => 10;
            }
        }
        """,
        """
        using CompiledNet;

        namespace App
        {
            [Network(Input = 2)]
            [Dense(1, Activation.Sigmoid)]
            [Loss(LossKind.LogLoss)]
            /* the classifier */ partial class Net
            {
                public static int Epochs => 10;
            }
        }
        """,
        "Remove 'static' from class 'Net'");

    [Fact]
    public Task CNET0029_FixAll_RemovesStaticFromEveryNetworkInTheFile() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)]
        public {|CNET0029:static|} partial class First { }

        [Network(Input = 2)][Dense(3, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)]
        internal {|CNET0029:static|} partial class Second { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)]
        public partial class First { }

        [Network(Input = 2)][Dense(3, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)]
        internal partial class Second { }
        """,
        // Each incremental step offers the fix for its own class; the fix-all steps share the key, not the title.
        null);

    /// <summary>Extension methods need a static class: removing 'static' would break them (CS1106), so no fix.</summary>
    [Fact]
    public Task CNET0029_ClassWithAnExtensionMethod_NoFix() => Verify.VerifyNoFixAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public {|CNET0029:static|} partial class Net
        {
            public static int Twice(this int value) => 2 * value;
        }
        """);
}
