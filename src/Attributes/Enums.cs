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
        /// <summary>Maxout: each unit is the largest of <see cref="DenseAttribute.Pieces"/> linear pieces (hidden layers only).</summary>
        Maxout = 5,
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

    /// <summary>The update rule applied to the parameters after each mini-batch (g = ∇L of the batch).</summary>
    public enum OptimizerKind
    {
        /// <summary>Plain (mini-batch) stochastic gradient descent: θ ← θ − η·g.</summary>
        Sgd = 0,
        /// <summary>Momentum: δ ← γ·δ + η·g, θ ← θ − δ (γ = <see cref="OptimizerAttribute.Momentum"/>, 0.9).</summary>
        Momentum = 1,
        /// <summary>Nesterov momentum: δ ← γ·δ + η·∇L(θ − γ·δ), θ ← θ − δ; the parameters held are the look-ahead point θ − γ·δ.</summary>
        Nesterov = 2,
        /// <summary>Adagrad: G ← G + g², θ ← θ − η·g/√(G + ε).</summary>
        Adagrad = 3,
        /// <summary>RMSProp: G ← ρ·G + (1 − ρ)·g², θ ← θ − η·g/√(G + ε) (ρ = <see cref="OptimizerAttribute.Rho"/>, 0.9).</summary>
        RmsProp = 4,
        /// <summary>Adam: m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², θ ← θ − η·m̂/(√v̂ + ε) with the bias-corrected m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t).</summary>
        Adam = 5,
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
