using System.ComponentModel;

namespace CompiledNet.CompilerServices
{
    /// <summary>
    /// Implemented by generated networks whose <c>PredictBatch</c> shares its rows among the worker threads
    /// (<see cref="WorkerPool.TryRunRows"/>): each thread that takes part calls <see cref="BeginRows"/> once, then
    /// <see cref="RunRows"/> for every chunk of rows it claims. Not for use outside generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IParallelRows
    {
        /// <summary>Prepares the calling thread for the chunks it will run of the current batch (a generated network packs its weights into the thread's buffer).</summary>
        void BeginRows();

        /// <summary>Runs rows [start, start + count) of the pinned inputs into the pinned outputs, on a thread that called <see cref="BeginRows"/> for this batch.</summary>
        void RunRows(nint inputs, nint outputs, int start, int count);
    }
}
