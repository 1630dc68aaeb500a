namespace CompiledNet.Tests.Networks;

// A small regressor: two inputs, one linear output, quadratic loss (the regression tests learn y = sin(x1) + x2²).
[Network(Input = 2, BatchSize = 16)]
[Dense(32, Activation.Tanh)]
[Dense(1, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.01f)]
public partial class SmoothFunctionNet { }
