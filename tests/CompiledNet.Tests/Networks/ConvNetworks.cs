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

// Two convolutions whose inference runs through Winograd's F(2×2, 3×3) with the max pooling after them (at least 8
// input channels, 3×3, stride 1): padding 1 with ReLU and biases, then padding 0, linear, no bias; 9 channels, so
// that the transforms have a vector tail at every width.
// 2×12×12 → Conv2D 8 3×3 pad 1 Tanh → Conv2D 9 3×3 pad 1 ReLU → MaxPool 2 → 9×6×6 → Conv2D 8 3×3 Linear, no bias
// → 8×4×4 → MaxPool 2 → 8×2×2 → 3 Softmax
[Network(Channels = 2, Height = 12, Width = 12, BatchSize = 4)]
[Conv2D(8, Kernel = 3, Padding = 1, Activation = Activation.Tanh, Init = WeightInit.Glorot)]
[Conv2D(9, Kernel = 3, Padding = 1, Activation = Activation.ReLU)]
[MaxPool(2)]
[Conv2D(8, Kernel = 3, Activation = Activation.Linear, Bias = false)]
[MaxPool(2)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
public partial class WinogradNet { }

// Enough work per row (≈ 0.3 MFLOP of training) that batches of 8 rows and more are split across threads;
// L1 and L2 on the weights.
[Network(Channels = 1, Height = 12, Width = 12, BatchSize = 32)]
[Conv2D(8, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(16, Padding = Padding.Same, Activation = Activation.Tanh)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.005f)]
[Regularization(L1 = 1e-5f, L2 = 1e-4f)]
public partial class ConvSplitNet { }

// A batch-normalised dense layer after convolutions: a split step runs in segments.
[Network(Channels = 2, Height = 10, Width = 10, BatchSize = 32)]
[Conv2D(8, Padding = 1)]
[AvgPool(2)]
[Conv2D(12, Kernel = 3)]
[Dense(16, Activation.ReLU, BatchNorm = true)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Momentum, LearningRate = 0.05f)]
public partial class ConvBatchNormNet { }

// The bars task of the learning tests (a horizontal or a vertical bar in an 8×8 image), one network per optimizer.
[Network(Height = 8, Width = 8, BatchSize = 16)]
[Conv2D(4, Padding = Padding.Same)]
[MaxPool(2)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
[Regularization(L2 = 1e-4f)]
public partial class BarsSgdNet { }

[Network(Height = 8, Width = 8, BatchSize = 16)]
[Conv2D(4, Padding = Padding.Same)]
[MaxPool(2)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Momentum, LearningRate = 0.05f)]
[Regularization(WeightDecay = 1e-4f)]
public partial class BarsMomentumNet { }

[Network(Height = 8, Width = 8, BatchSize = 16)]
[Conv2D(4, Padding = Padding.Same)]
[MaxPool(2)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Nesterov, LearningRate = 0.05f)]
public partial class BarsNesterovNet { }

[Network(Height = 8, Width = 8, BatchSize = 16)]
[Conv2D(4, Padding = Padding.Same)]
[MaxPool(2)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adagrad, LearningRate = 0.05f)]
[Regularization(L1 = 1e-5f)]
public partial class BarsAdagradNet { }

[Network(Height = 8, Width = 8, BatchSize = 16)]
[Conv2D(4, Padding = Padding.Same)]
[MaxPool(2)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.RmsProp, LearningRate = 0.005f)]
public partial class BarsRmsPropNet { }

[Network(Height = 8, Width = 8, BatchSize = 16)]
[Conv2D(4, Padding = Padding.Same)]
[MaxPool(2)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.01f)]
public partial class BarsAdamNet { }

// SGD with L1 and L2 on the weights, for the exact regulariser check.
[Network(Height = 5, Width = 5, BatchSize = 4)]
[Conv2D(3, Kernel = 2)]
[Dense(2, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.5f)]
[Regularization(L1 = 0.01f, L2 = 0.1f)]
public partial class ConvRegularizedNet { }

// Per-channel batch norm on convolutions. 2×5×7 → Conv2D 3×3×3, stride 2, pad 1, Tanh, batch norm → 3×3×4 →
// MaxPool 2, stride 1 → 3×2×3 → Conv2D 4×2×2, Sigmoid, batch norm → 4×1×2 → 3 Softmax
[Network(Channels = 2, Height = 5, Width = 7, BatchSize = 4)]
[Conv2D(3, Kernel = 3, Stride = 2, Padding = 1, Activation = Activation.Tanh, BatchNorm = true)]
[MaxPool(2, Stride = 1)]
[Conv2D(4, Kernel = 2, Activation = Activation.Sigmoid, BatchNorm = true)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class ConvBnStrideNet { }

// Element-wise dropout on convolutions, alone on the first and with batch norm on the second:
// 2×5×7 → Conv2D 3×3×3, stride 2, pad 1, Tanh, dropout 0.3 → 3×3×4 → AvgPool 2, stride 1 → 3×2×3 →
// Conv2D 4×2×2, Linear, batch norm, dropout 0.2 → 4×1×2 → 3 Softmax
[Network(Channels = 2, Height = 5, Width = 7, BatchSize = 4)]
[Conv2D(3, Kernel = 3, Stride = 2, Padding = 1, Activation = Activation.Tanh, Dropout = 0.3f)]
[AvgPool(2, Stride = 1)]
[Conv2D(4, Kernel = 2, Activation = Activation.Linear, BatchNorm = true, Dropout = 0.2f)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class ConvDropoutNet { }

// Batch norm and dropout on convolutions with enough work per row that batches of 8 rows and more are split across
// threads: the split step runs in segments around each convolution's batch-norm step.
[Network(Channels = 1, Height = 12, Width = 12, BatchSize = 32)]
[Conv2D(8, Padding = Padding.Same, BatchNorm = true)]
[MaxPool(2)]
[Conv2D(16, Padding = Padding.Same, Activation = Activation.Tanh, BatchNorm = true, Dropout = 0.25f)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.005f)]
public partial class ConvBnSplitNet { }

// Convolutions computed together with the 2×2 max pooling after them in inference (fewer than 8 input channels, so not
// Winograd): 3×12×10 → Conv2D 5 (5×3 kernel, pad 1), Linear, no bias → 5×10×10 → MaxPool 2 → 5×5×5 (25 windows: a full
// vector, narrower ones and a scalar window) → Conv2D 6 4×4 ReLU → 6×2×2 → MaxPool 2 → 6×1×1 (one window: scalar only)
// → 3 Softmax
[Network(Channels = 3, Height = 12, Width = 10, BatchSize = 4)]
[Conv2D(5, KernelHeight = 5, KernelWidth = 3, Padding = 1, Activation = Activation.Linear, Bias = false)]
[MaxPool(2)]
[Conv2D(6, Kernel = 4)]
[MaxPool(2)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class DirectPoolNet { }

// A batch-normalised convolution after one computed with its max pooling: the exact population pass runs the first
// convolution and the pooling one by one, inference runs them together. 2×8×6 → Conv2D 3×3×3, pad 1, ReLU → MaxPool 2
// → 3×4×3 → Conv2D 4×2×2, Linear, batch norm → 4×3×2 → 3 Softmax
[Network(Channels = 2, Height = 8, Width = 6, BatchSize = 4)]
[Conv2D(3, Kernel = 3, Padding = 1)]
[MaxPool(2)]
[Conv2D(4, Kernel = 2, Activation = Activation.Linear, BatchNorm = true)]
[Dense(3, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class DirectPoolBnNet { }
