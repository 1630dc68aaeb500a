using System;

namespace CompiledNet
{
    /// <summary>
    /// An <see cref="IProgress{T}"/> that calls its handler synchronously, on the reporting thread. Use it for
    /// training reports in console programs: <see cref="Progress{T}"/> posts each report to the thread pool (or the
    /// captured synchronization context), so its output can interleave with yours out of order.
    /// </summary>
    /// <typeparam name="T">The type of the reports.</typeparam>
    public sealed class SynchronousProgress<T> : IProgress<T>
    {
        private readonly Action<T> _handler;

        /// <summary>Creates a progress reporter that calls <paramref name="handler"/> for every report.</summary>
        public SynchronousProgress(Action<T> handler) => _handler = handler ?? throw new ArgumentNullException(nameof(handler));

        /// <summary>Calls the handler with <paramref name="value"/> on the calling thread.</summary>
        public void Report(T value) => _handler(value);
    }
}
