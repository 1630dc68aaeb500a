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
}
