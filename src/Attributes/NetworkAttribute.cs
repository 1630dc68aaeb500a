using System;

namespace CompiledNet
{
    /// <summary>
    /// Declares a compiled network on a <c>partial class</c>. The layers are the <see cref="DenseAttribute"/>s
    /// on the same class, in source order. The CompiledNet generator emits the network's code at build time.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class NetworkAttribute : Attribute
    {
        /// <summary>
        /// Number of input features (for example 784 for 28×28 images). Required, &gt; 0 — unless the network declares an
        /// image (<see cref="Height"/> and <see cref="Width"/>), whose size Channels × Height × Width it then must equal, or
        /// which gives it when it is left out.
        /// </summary>
        public int Input { get; set; }

        /// <summary>Channels of the input image (default 1), for <see cref="Conv2DAttribute"/> and pooling layers.</summary>
        public int Channels { get; set; }

        /// <summary>Height of the input image in pixels; an example's inputs are its channels one after the other, each row by row.</summary>
        public int Height { get; set; }

        /// <summary>Width of the input image in pixels.</summary>
        public int Width { get; set; }

        /// <summary>Mini-batch size of the training step (1 = SGD, the data set size = batch GD). Default 32.</summary>
        public int BatchSize { get; set; } = 32;

        /// <summary>Dropout rate on the input features during training, in [0, 1). Default 0 (none).</summary>
        public float InputDropout { get; set; }
    }
}
