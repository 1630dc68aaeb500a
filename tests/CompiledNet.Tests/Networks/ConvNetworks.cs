namespace CompiledNet.Tests.Networks;

// Convolutional networks for the gradient checks and the reference comparisons. Odd sizes on purpose: a 7×6 image
// of two channels, a 3×2 kernel with padding 1, a stride of 2, average pooling with overlapping windows (stride 1),
// max pooling, Same padding, a layer without bias, pooling as the first layer.

// 2×7×6 → Conv2D 3×(3×2), pad 1, Tanh → 3×7×7 → Conv2D 4×3×3, stride 2, ReLU → 4×3×3 → AvgPool 2, stride 1 → 4×2×2 → 5 Tanh → 3 Softmax
[Network(Channels = 2, Height = 7, Width = 6, BatchSize = 4)]
[Conv2D(3, KernelHeight = 3, KernelWidth = 2, Padding = 1, Activation = Activation.Tanh, Init = WeightInit.Glorot)]
[Conv2D(4, Kernel = 3, Stride = 2, Activation = Activation.ReLU)]
[AvgPool(2, Stride = 1)]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class ConvStrideNet { }

// 1×6×6 → Conv2D 2×3×3 Same, Sigmoid → 2×6×6 → MaxPool 2 → 2×3×3 → Conv2D 3×2×2, Linear, no bias → 3×2×2 → 2 Sigmoid
[Network(Input = 36, Channels = 1, Height = 6, Width = 6, BatchSize = 3)]
[Conv2D(2, Kernel = 3, Padding = Padding.Same, Activation = Activation.Sigmoid, Init = WeightInit.LeCun)]
[MaxPool(2)]
[Conv2D(3, Kernel = 2, Activation = Activation.Linear, Bias = false)]
[Dense(2, Activation.Sigmoid)]
[Loss(LossKind.LogLoss)]
public partial class ConvMaxPoolNet { }

// 3×8×8 → MaxPool 2 → 3×4×4 → Conv2D 9 (8 + 1: a full vector and a tail of filters) 3×3, pad 1, ReLU → 9×4×4 → 4 Linear
[Network(Channels = 3, Height = 8, Width = 8, BatchSize = 5)]
[MaxPool(2)]
[Conv2D(9, Kernel = 3, Padding = 1)]
[Dense(4, Activation.Linear)]
[Loss(LossKind.Quadratic)]
public partial class PoolFirstNet { }
