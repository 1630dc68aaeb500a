using System.Threading.Tasks;
using Xunit;
using Verify = CompiledNet.CodeFixes.Tests.FixTest<CompiledNet.CodeFixes.MakePartialCodeFixProvider>;

namespace CompiledNet.CodeFixes.Tests;

public class MakePartialTests
{
    [Fact]
    public Task CNET0001_AddsPartialAfterTheOtherModifiers() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public sealed class {|CNET0001:Net|} { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public sealed partial class Net { }
        """,
        "Add 'partial' to class 'Net'");

    [Fact]
    public Task CNET0001_WithoutModifiers_PartialTakesTheKeywordsIndentationAndComment() => Verify.VerifyAsync(
        """
        using CompiledNet;

        namespace App
        {
            [Network(Input = 2)]
            [Dense(1, Activation.Sigmoid)]
            [Loss(LossKind.LogLoss)]
            /* the classifier */ class {|CNET0001:Net|} { }
        }
        """,
        """
        using CompiledNet;

        namespace App
        {
            [Network(Input = 2)]
            [Dense(1, Activation.Sigmoid)]
            [Loss(LossKind.LogLoss)]
            /* the classifier */ partial class Net { }
        }
        """,
        "Add 'partial' to class 'Net'");

    [Fact]
    public Task CNET0001_FixAll_MakesEveryNetworkInTheFilePartial() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)]
        public class {|CNET0001:First|} { }

        [Network(Input = 3)][Dense(1, Activation.Linear)][Loss(LossKind.Quadratic)]
        internal class {|CNET0001:Second|} { }
        """,
        """
        using CompiledNet;

        [Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)]
        public partial class First { }

        [Network(Input = 3)][Dense(1, Activation.Linear)][Loss(LossKind.Quadratic)]
        internal partial class Second { }
        """,
        // Each incremental step offers the fix for its own class; the fix-all steps share the key, not the title.
        null);

    [Fact]
    public Task CNET0003_AddsPartialToEveryEnclosingTypeThatLacksIt() => Verify.VerifyAsync(
        """
        using CompiledNet;

        public static class Models
        {
            internal partial class Group
            {
                private struct Holder
                {
                    [Network(Input = 2)]
                    [Dense(1, Activation.Sigmoid)]
                    [Loss(LossKind.LogLoss)]
                    public partial class {|CNET0003:{|CNET0003:Net|}|} { }
                }
            }
        }
        """,
        """
        using CompiledNet;

        public static partial class Models
        {
            internal partial class Group
            {
                private partial struct Holder
                {
                    [Network(Input = 2)]
                    [Dense(1, Activation.Sigmoid)]
                    [Loss(LossKind.LogLoss)]
                    public partial class Net { }
                }
            }
        }
        """,
        "Add 'partial' to 'Models' and 'Holder'");

    [Fact]
    public Task CNET0003_AlsoMakesTheNetworkClassPartialWhenItLacksIt()
    {
        var test = new FixTest<MakePartialCodeFixProvider>
        {
            TestCode = """
                using CompiledNet;

                class Outer
                {
                    [Network(Input = 2)]
                    [Dense(1, Activation.Sigmoid)]
                    [Loss(LossKind.LogLoss)]
                    class {|CNET0001:{|CNET0003:Net|}|} { }
                }
                """,
            FixedCode = """
                using CompiledNet;

                partial class Outer
                {
                    [Network(Input = 2)]
                    [Dense(1, Activation.Sigmoid)]
                    [Loss(LossKind.LogLoss)]
                    partial class Net { }
                }
                """,
            CodeActionEquivalenceKey = "CNET0003.AddPartial",
        };
        test.CodeActionVerifier = (action, verifier) => verifier.Equal("Add 'partial' to 'Outer' and 'Net'", action.Title);
        return test.RunAsync();
    }

    [Fact]
    public Task CNET0003_EnclosingTypeDeclaredInAnotherFile_IsFixedThere()
    {
        var test = new FixTest<MakePartialCodeFixProvider>();
        test.TestState.Sources.Add(("Net.cs", """
            using CompiledNet;

            public partial class Outer
            {
                [Network(Input = 2)]
                [Dense(1, Activation.Sigmoid)]
                [Loss(LossKind.LogLoss)]
                public partial class {|CNET0003:Net|} { }
            }
            """));
        // The compiler's own CS0260 reports the same omission from the other side.
        test.TestState.Sources.Add(("Outer.cs", """
            public class {|CS0260:Outer|}
            {
                public int Size => 2;
            }
            """));
        test.FixedState.Sources.Add(("Net.cs", """
            using CompiledNet;

            public partial class Outer
            {
                [Network(Input = 2)]
                [Dense(1, Activation.Sigmoid)]
                [Loss(LossKind.LogLoss)]
                public partial class Net { }
            }
            """));
        test.FixedState.Sources.Add(("Outer.cs", """
            public partial class Outer
            {
                public int Size => 2;
            }
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task CNET0003_GenericEnclosingType_NoFix() => Verify.VerifyNoFixAsync(
        """
        using CompiledNet;

        public class Outer<T>
        {
            [Network(Input = 2)]
            [Dense(1, Activation.Sigmoid)]
            [Loss(LossKind.LogLoss)]
            public partial class {|CNET0002:{|CNET0003:Net|}|} { }
        }
        """);
}
