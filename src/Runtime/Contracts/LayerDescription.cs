namespace CompiledNet
{
    /// <summary>
    /// One layer of a compiled network as data, with where its parameters sit in <see cref="ITrainable.Parameters"/>
    /// and its statistics in <see cref="ICompiledNetwork.BatchNormStatistics"/> — for exporters and tools. An offset
    /// is null for a segment the layer does not have.
    /// </summary>
    public sealed record LayerDescription
    {
        /// <summary>Number of inputs of the layer.</summary>
        public int Inputs { get; init; }

        /// <summary>Number of output units.</summary>
        public int Units { get; init; }

        /// <summary>The layer's activation.</summary>
        public Activation Activation { get; init; }

        /// <summary>Linear pieces per unit of a maxout layer; 1 for other layers.</summary>
        public int Pieces { get; init; } = 1;

        /// <summary>True when the layer is batch-normalised (it then has γ and β instead of a bias).</summary>
        public bool BatchNorm { get; init; }

        /// <summary>True when the layer has a bias segment.</summary>
        public bool Bias { get; init; }

        /// <summary>Start of the weight matrix W[<see cref="Width"/>, <see cref="Inputs"/>] (row-major, one row per output) in the parameters.</summary>
        public int WeightOffset { get; init; }

        /// <summary>Start of the <see cref="Width"/> biases in the parameters, or null for none.</summary>
        public int? BiasOffset { get; init; }

        /// <summary>Start of batch norm's γ in the parameters, or null without batch norm.</summary>
        public int? GammaOffset { get; init; }

        /// <summary>Start of batch norm's β in the parameters, or null without batch norm.</summary>
        public int? BetaOffset { get; init; }

        /// <summary>Start of the layer's population mean then variance in <see cref="ICompiledNetwork.BatchNormStatistics"/>, or null without batch norm.</summary>
        public int? StatisticsOffset { get; init; }

        /// <summary>Width of the linear part: units × pieces for maxout, the units otherwise.</summary>
        public int Width => Activation == Activation.Maxout ? Units * Pieces : Units;
    }
}
