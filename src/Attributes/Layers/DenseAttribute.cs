using System;

namespace CompiledNet
{
    /// <summary>A fully connected layer: a = f(x·W + b). Apply several, in order, from the input to the output layer.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DenseAttribute : Attribute
    {
        /// <summary>Creates a dense layer with <paramref name="units"/> outputs and the given activation.</summary>
        public DenseAttribute(int units, Activation activation)
        {
            Units = units;
            Activation = activation;
        }

        /// <summary>Number of units (outputs) of the layer.</summary>
        public int Units { get; }

        /// <summary>The layer's activation.</summary>
        public Activation Activation { get; }

        /// <summary>How the weights are initialised; biases start at zero.</summary>
        public WeightInit Init { get; set; } = WeightInit.LeCun;

        /// <summary>
        /// Dropout rate p of this layer's outputs during training, in [0, 1); not on the output layer. Inverted
        /// scaling: a kept unit is multiplied by 1/(1 − p) in training, so inference uses every unit unscaled.
        /// </summary>
        public float Dropout { get; set; }

        /// <summary>
        /// DropConnect rate p of this layer's weights during training, in [0, 1): one mask per mini-batch (shared by
        /// its examples), kept weights scaled by 1/(1 − p); inference uses every weight unscaled.
        /// </summary>
        public float DropConnect { get; set; }

        /// <summary>
        /// Batch normalisation between the linear part and the activation: γ·(z − μ)/√(σ² + ε) + β with learned γ, β
        /// (the layer then has no bias: β plays its role). Training uses the batch's statistics; inference the
        /// population statistics.
        /// </summary>
        public bool BatchNorm { get; set; }

        /// <summary>
        /// Number k ≥ 2 of linear pieces per unit of a <see cref="Activation.Maxout"/> layer: the layer computes
        /// units·k affine functions and each unit outputs the largest of its k; the gradient flows to the winner.
        /// </summary>
        public int Pieces { get; set; }

        /// <summary>
        /// Whether the layer has biases (default true). A batch-normalised layer never has one — β plays its role —
        /// and setting <c>Bias = true</c> on it is reported as redundant.
        /// </summary>
        public bool Bias { get; set; } = true;
    }
}
