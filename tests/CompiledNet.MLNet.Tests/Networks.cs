using CompiledNet;

namespace CompiledNet.MLNet.Tests;

/// <summary>A dense Fashion-MNIST-shaped classifier with batch normalisation: Gemm, BatchNormalization, Relu, Softmax in ONNX.</summary>
[Network(Input = 784, BatchSize = 32)]
[Dense(64, Activation.ReLU, BatchNorm = true, Init = WeightInit.He)]
[Dense(32, Activation.Tanh)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.01f)]
public partial class DenseImageNet { }

/// <summary>A small convolutional classifier of 1×28×28 images: Conv, MaxPool, AveragePool and Flatten in ONNX.</summary>
[Network(Channels = 1, Height = 28, Width = 28, BatchSize = 16)]
[Conv2D(4, Kernel = 3, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(6, Kernel = 2, Stride = 2, Activation = Activation.Tanh)]
[AvgPool(7)]
[Dense(16, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.01f)]
public partial class ConvImageNet { }
