using System;
using System.Threading;

namespace CompiledNet
{
    /// <summary>
    /// Serving predictions while the same model trains. A network's <c>Predict</c> must not run while its
    /// <c>TrainBatch</c> writes the parameters (it would read a mix of old and new values); this class keeps a separate
    /// copy for inference instead. <see cref="Publish"/> copies the training network's state into a new instance
    /// (<see cref="Checkpoint.CopyState"/>) and then makes it <see cref="Current"/> with one atomic reference write,
    /// so a thread that reads <see cref="Current"/> always gets a complete state, old or new, that nothing writes any
    /// more. Call <see cref="Publish"/> from the training thread between steps — for instance from the
    /// <see cref="Trainer.Train{TNet}"/> progress callback, which runs after each epoch. A copy is never reused, so
    /// a request still running on an older copy finishes on it undisturbed; each publication allocates one network.
    /// </summary>
    /// <typeparam name="TNet">The generated network class.</typeparam>
    public sealed class ServingCopy<TNet> where TNet : class, ICompiledNetwork
    {
        private readonly Func<TNet> _create;
        private TNet? _current;
        private long _publications;

        /// <summary>Serving copies made by <paramref name="create"/> (for example <c>() =&gt; new FashionNet()</c>); none is current until the first <see cref="Publish"/>.</summary>
        public ServingCopy(Func<TNet> create) => _create = create ?? throw new ArgumentNullException(nameof(create));

        /// <summary>The network to predict with, or null before the first <see cref="Publish"/>. Read it once per request and use that instance.</summary>
        public TNet? Current => Volatile.Read(ref _current);

        /// <summary>How many states have been published.</summary>
        public long Publications => Interlocked.Read(ref _publications);

        /// <summary>Copies <paramref name="trained"/> into a new instance, makes it <see cref="Current"/> and returns it. <paramref name="trained"/> must not be training during the call.</summary>
        public TNet Publish(TNet trained)
        {
            ArgumentNullException.ThrowIfNull(trained);
            var copy = _create() ?? throw new InvalidOperationException("The factory returned null.");
            if (ReferenceEquals(copy, trained)) throw new InvalidOperationException("The factory returned the training network itself; it must create a new instance.");
            Checkpoint.CopyState(trained, copy);
            Volatile.Write(ref _current, copy);
            Interlocked.Increment(ref _publications);
            return copy;
        }
    }
}
