using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CompiledNet
{
    /// <summary>
    /// A layer that crossed a threshold, with the usual remedies. <see cref="Layer"/> numbers a dense layer among
    /// <see cref="ICompiledNetwork.Layers"/>, or a convolution (<see cref="IsConvolution"/>) among
    /// <see cref="IConvolutional.FeatureLayers"/>.
    /// </summary>
    public sealed record HealthWarning(int Layer, string Problem, string Remedies)
    {
        /// <summary>True when <see cref="Layer"/> is a convolution's number among the feature layers.</summary>
        public bool IsConvolution { get; init; }

        /// <inheritdoc />
        public override string ToString() => $"{Problem} Remedies: {Remedies}.";
    }
}
