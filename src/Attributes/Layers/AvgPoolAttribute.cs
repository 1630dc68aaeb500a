using System;

namespace CompiledNet
{
    /// <summary>
    /// Average pooling: each output is the mean of its <c>size</c> × <c>size</c> window, windows <see cref="Stride"/>
    /// apart (default: <c>size</c>). The windows must tile the input exactly.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPoolAttribute : Attribute
    {
        /// <summary>Creates an average pooling layer with a <paramref name="size"/> × <paramref name="size"/> window.</summary>
        public AvgPoolAttribute(int size) => Size = size;

        /// <summary>Side of the square window.</summary>
        public int Size { get; }

        /// <summary>Step between two windows (default: the window's size; 0 means that default).</summary>
        public int Stride { get; set; }
    }
}
