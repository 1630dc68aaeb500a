using System.ComponentModel;

namespace CompiledNet.CompilerServices
{
    /// <summary>
    /// Implemented by generated networks whose <c>PredictBatch</c> shares its rows among the worker threads: runs the
    /// inference forward over rows [start, start + count) of the pinned inputs into the pinned outputs. Not for use
    /// outside generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IParallelRows
    {
        /// <summary>Runs rows [start, start + count) of the batch.</summary>
        void RunRows(nint inputs, nint outputs, int start, int count);
    }
}
