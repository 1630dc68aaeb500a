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
}
