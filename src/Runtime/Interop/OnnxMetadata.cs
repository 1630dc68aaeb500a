using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CompiledNet
{
    /// <summary>What a consumer of an exported ONNX model needs to use it, stored in the model's metadata properties.</summary>
    public sealed record OnnxMetadata
    {
        /// <summary>One name per class, in output order (two for a single sigmoid output: 0, then 1); key <c>class_names</c>, a JSON array.</summary>
        public IReadOnlyList<string>? ClassNames { get; init; }

        /// <summary>The shape the flat input comes from, e.g. [1, 28, 28] (channels, height, width); key <c>input_shape</c>. Its product must be the network's input size.</summary>
        public IReadOnlyList<int>? InputShape { get; init; }

        /// <summary>The factor raw input values were multiplied by in training, e.g. 1/255 for 8-bit pixels; key <c>input_scale</c>.</summary>
        public float? InputScale { get; init; }

        /// <summary>
        /// The standardizer the network's inputs went through in training. The exported graph then applies it itself
        /// (Sub, then Mul, in front of the first layer), so the model takes the features as they were before
        /// standardisation; its mean and standard deviation are also written under <c>standardizer_mean</c> and
        /// <c>standardizer_std</c> (JSON arrays). Its feature count must be the network's input size.
        /// </summary>
        public Standardizer? Standardizer { get; init; }

        /// <summary>Further key/value pairs, written as they are.</summary>
        public IReadOnlyDictionary<string, string>? Properties { get; init; }
    }
}
