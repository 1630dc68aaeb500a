using System.Threading.Tasks;
using Xunit;
using Verify = CompiledNet.CodeFixes.Tests.FixTest<CompiledNet.CodeFixes.MaxoutPiecesCodeFixProvider>;

namespace CompiledNet.CodeFixes.Tests;

public class MaxoutPiecesTests
{
    [Fact]
    public Task CNET0025_WithoutPieces_AddsPiecesTwo() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(8, {|CNET0025:Activation.Maxout|})]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(8, Activation.Maxout, Pieces = 2)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        "Add 'Pieces = 2' to the maxout layer");

    [Fact]
    public Task CNET0025_PiecesOne_BecomesTwo() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(8, Activation.Maxout, {|CNET0025:Pieces = 1|}, Init = WeightInit.He)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(8, Activation.Maxout, Pieces = 2, Init = WeightInit.He)]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        "Replace 'Pieces = 1' by 'Pieces = 2'");

    [Fact]
    public Task CNET0025_ArgumentsOnSeveralLines_NewArgumentIsIndentedLikeTheLast() => Verify.VerifyAsync(
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(8,
            {|CNET0025:Activation.Maxout|}
        )]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        """
        using CompiledNet;

        [Network(Input = 4)]
        [Dense(8,
            Activation.Maxout,
            Pieces = 2
        )]
        [Dense(1, Activation.Sigmoid)]
        [Loss(LossKind.LogLoss)]
        public partial class Net { }
        """,
        "Add 'Pieces = 2' to the maxout layer");
}
