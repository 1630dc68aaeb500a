namespace CompiledNet
{
    /// <summary>How a layer's weights are drawn (biases always start at zero). Weights are Gaussian with the standard deviation below.</summary>
    public enum WeightInit
    {
        /// <summary>sd = 1/√fan_in (LeCun); the default.</summary>
        LeCun = 0,
        /// <summary>sd = √(2 / (fan_in + fan_out)) (Glorot / Xavier).</summary>
        Glorot = 1,
        /// <summary>sd = √(2 / fan_in) (He), for ReLU layers.</summary>
        He = 2,
    }
}
