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
        /// <summary>Number of input features (for example 784 for 28×28 images). Required, &gt; 0.</summary>
        public int Input { get; set; }

        /// <summary>Mini-batch size of the training step (1 = SGD, the data set size = batch GD). Default 32.</summary>
        public int BatchSize { get; set; } = 32;
    }

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
    }

    /// <summary>The loss the training step minimises.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class LossAttribute : Attribute
    {
        /// <summary>Selects the loss.</summary>
        public LossAttribute(LossKind kind) => Kind = kind;

        /// <summary>The selected loss.</summary>
        public LossKind Kind { get; }
    }

    /// <summary>The optimizer of the training step. Without this attribute: SGD with learning rate 0.01.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class OptimizerAttribute : Attribute
    {
        /// <summary>Selects the optimizer.</summary>
        public OptimizerAttribute(OptimizerKind kind) => Kind = kind;

        /// <summary>The selected optimizer.</summary>
        public OptimizerKind Kind { get; }

        /// <summary>Initial learning rate η (&gt; 0). Default 0.01.</summary>
        public float LearningRate { get; set; } = 0.01f;
    }
}
