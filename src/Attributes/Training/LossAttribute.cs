using System;

namespace CompiledNet
{
    /// <summary>The loss the training step minimises.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class LossAttribute : Attribute
    {
        /// <summary>Selects the loss.</summary>
        public LossAttribute(LossKind kind) => Kind = kind;

        /// <summary>The selected loss.</summary>
        public LossKind Kind { get; }
    }
}
