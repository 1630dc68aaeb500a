using System;

namespace CompiledNet
{
    /// <summary>
    /// Max pooling: each output is the largest input of its <c>size</c> × <c>size</c> window, windows <see cref="Stride"/>
    /// apart (default: <c>size</c>, windows side by side). The windows must tile the input exactly.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPoolAttribute : Attribute
    {
        /// <summary>Creates a max pooling layer with a <paramref name="size"/> × <paramref name="size"/> window.</summary>
        public MaxPoolAttribute(int size) => Size = size;

        /// <summary>Side of the square window.</summary>
        public int Size { get; }

        /// <summary>Step between two windows (default: the window's size; 0 means that default).</summary>
        public int Stride { get; set; }
    }
}
