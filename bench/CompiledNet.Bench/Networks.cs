using CompiledNet;

// The four networks of the benchmark (see bench/README.md), declared once and compiled by the generator.

/// <summary>A: 784-128-10 ReLU, softmax cross-entropy, SGD η = 0.1, batch 32.</summary>
[Network(Input = 784, BatchSize = 32)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class NetA { }

/// <summary>B: 784-256-128-10 ReLU, softmax cross-entropy, Adam η = 1e-3, batch 64.</summary>
[Network(Input = 784, BatchSize = 64)]
[Dense(256, Activation.ReLU, Init = WeightInit.He)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
public partial class NetB { }

/// <summary>C: B with batch norm and dropout 0.2 after each hidden layer.</summary>
[Network(Input = 784, BatchSize = 64)]
[Dense(256, Activation.ReLU, Init = WeightInit.He, BatchNorm = true, Dropout = 0.2f)]
[Dense(128, Activation.ReLU, Init = WeightInit.He, BatchNorm = true, Dropout = 0.2f)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
public partial class NetC { }

/// <summary>
/// D: conv 1→32 3×3 pad 1 ReLU, 2×2 max pooling, conv 32→64 3×3 pad 1 ReLU, 2×2 max pooling, dense 3136→128 ReLU,
/// dense 10 softmax; softmax cross-entropy, Adam η = 1e-3, batch 64.
/// </summary>
[Network(Channels = 1, Height = 28, Width = 28, BatchSize = 64)]
[Conv2D(32, Kernel = 3, Padding = 1, Activation = Activation.ReLU, Init = WeightInit.He)]
[MaxPool(2)]
[Conv2D(64, Kernel = 3, Padding = 1, Activation = Activation.ReLU, Init = WeightInit.He)]
[MaxPool(2)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
public partial class NetD { }
