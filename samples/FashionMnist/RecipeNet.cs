using CompiledNet;

// The network of `--recipe best`: wider than FashionNet, batch-normalised and dropped out, trained with Adam and an
// exponentially decaying learning rate (η_e = 1e-3 · 0.93^e), on augmented, shuffled batches (Program.cs: shifts
// up to 1 px and rotations up to 8°, each with probability 0.5).
[Network(Input = 784, BatchSize = 64)]
[Dense(512, Activation.ReLU, Init = WeightInit.He, BatchNorm = true, Dropout = 0.2f)]
[Dense(256, Activation.ReLU, Init = WeightInit.He, BatchNorm = true, Dropout = 0.2f)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 1e-3f, Decay = 0.93f)]
public partial class RecipeNet { }
