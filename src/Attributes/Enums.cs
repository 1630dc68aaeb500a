namespace CompiledNet
{
    /// <summary>The nonlinearity applied after a layer's linear part.</summary>
    public enum Activation
    {
        /// <summary>Identity: f(z) = z.</summary>
        Linear = 0,
        /// <summary>Logistic sigmoid: f(z) = 1 / (1 + e^-z). Saturates for large |z|.</summary>
        Sigmoid = 1,
        /// <summary>Hyperbolic tangent: f(z) = tanh z. Zero-centred, saturates for large |z|.</summary>
        Tanh = 2,
        /// <summary>Rectified linear unit: f(z) = max(0, z).</summary>
        ReLU = 3,
        /// <summary>Softmax over the layer's units; only on the output layer.</summary>
        Softmax = 4,
    }

    /// <summary>The loss the training step minimises (mean over the examples of a batch).</summary>
    public enum LossKind
    {
        /// <summary>Quadratic loss: Σ_k (a_k − y_k)² per example (no ½ factor).</summary>
        Quadratic = 0,
        /// <summary>Log-loss (binary cross-entropy) on sigmoid outputs: −Σ_k [y_k ln a_k + (1 − y_k) ln(1 − a_k)].</summary>
        LogLoss = 1,
        /// <summary>Softmax cross-entropy: −Σ_k y_k ln p_k, computed stably from the logits and fused with the softmax gradient.</summary>
        SoftmaxCrossEntropy = 2,
    }

    /// <summary>The update rule applied to the parameters after each mini-batch.</summary>
    public enum OptimizerKind
    {
        /// <summary>Plain (mini-batch) stochastic gradient descent: θ ← θ − η·∇L.</summary>
        Sgd = 0,
    }

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
