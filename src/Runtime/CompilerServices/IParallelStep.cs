using System.ComponentModel;

namespace CompiledNet.CompilerServices
{
    /// <summary>
    /// Implemented by generated networks that can split a training step across threads: part <c>k</c> of
    /// <c>parts</c> runs one phase of the step (0: forward and backward over its rows; 1: its share of the gradient
    /// reduction). Not for use outside generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IParallelStep
    {
        /// <summary>Runs phase <paramref name="phase"/> for part <paramref name="part"/> of <paramref name="parts"/>; <paramref name="inputs"/> is the pinned batch.</summary>
        void RunPart(int phase, int part, int parts, nint inputs);
    }
}
