using CompiledNet;

// Shared by the trainer (samples/FashionMnistCnn) and the server (samples/Serve), as FashionNet is: a checkpoint loads
// only into the declaration that saved it.

/// <summary>
/// A small convolutional network for 28×28 grey images: two 3×3 convolutions (16 and 32 filters, same padding, ReLU),
/// each followed by 2×2 max pooling, then a 128-unit ReLU layer (dropout 0.25) on the flattened 32×7×7 features and a 10-way softmax; Adam with η = 0.001·0.9^epoch.
/// The generator checks the shapes: 1×28×28 → 16×28×28 → 16×14×14 → 32×14×14 → 32×7×7 → 1568 → 128 → 10.
/// </summary>
[Network(Channels = 1, Height = 28, Width = 28, BatchSize = 64)]
[Conv2D(16, Kernel = 3, Padding = Padding.Same, Activation = Activation.ReLU, Init = WeightInit.He)]
[MaxPool(2)]
[Conv2D(32, Kernel = 3, Padding = Padding.Same, Activation = Activation.ReLU, Init = WeightInit.He)]
[MaxPool(2)]
[Dense(128, Activation.ReLU, Init = WeightInit.He, Dropout = 0.25f)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.001f, Decay = 0.9f, DecayEvery = 1)]
public partial class FashionCnn { }
