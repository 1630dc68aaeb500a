using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CompiledNet;

// The batch-norm paper's MNIST experiment on Fashion-MNIST: three hidden layers of 100 sigmoid units, trained with
// plain SGD with and without batch normalisation; test accuracy against training step. Writes batchnorm.csv and
// batchnorm.png. Usage: dotnet run -c Release --project samples/BatchNorm -- [--data DIR] [--steps N] [--out DIR]

string dataDir = FashionMnist.DefaultDirectory, outDir = ".";
int steps = 3000, every = 100;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--data": dataDir = Value(); break;
        case "--steps": steps = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--out": outDir = Value(); break;
        default: Console.Error.WriteLine($"Unknown argument '{args[i]}'."); return 2;
    }
}

Dataset train, test;
try { (train, test) = FashionMnist.Load(dataDir); }
catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
var testSubset = test.Take(2000); // evaluated every 100 steps: 2,000 test images keep the run short

var runs = new (string Name, ITrainable Net)[] { ("without batch norm", new SigmoidNet(1)), ("with batch norm", new SigmoidBatchNormNet(1)) };
var curves = new Dictionary<string, List<(int Step, double Accuracy)>>();
foreach (var (name, net) in runs)
{
    var curve = curves[name] = new List<(int, double)>();
    int step = 0;
    // Batches by hand (the Trainer works in whole epochs): a fresh seeded shuffle per pass, 60 images a step.
    var order = Enumerable.Range(0, train.Count).ToArray();
    var rng = new Rng(1);
    var inputs = new float[60 * 784];
    var labels = new int[60];
    while (step < steps)
    {
        rng.Shuffle(order.AsSpan());
        for (int start = 0; start + 60 <= order.Length && step < steps; start += 60)
        {
            for (int j = 0; j < 60; j++)
            {
                train.Features(order[start + j]).CopyTo(inputs.AsSpan(j * 784, 784));
                labels[j] = train.Label(order[start + j]);
            }
            net.TrainBatch(inputs, labels);
            step++;
            if (step % every == 0)
            {
                double accuracy = Evaluator.Evaluate(net, testSubset).Accuracy;
                curve.Add((step, accuracy));
                if (step % 500 == 0)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} step {step,5}: test accuracy {accuracy:F4}"));
            }
        }
    }
}

Directory.CreateDirectory(outDir);
using (var csv = new StreamWriter(Path.Combine(outDir, "batchnorm.csv")))
{
    csv.WriteLine("model,step,test_accuracy");
    foreach (var (name, curve) in curves)
        foreach (var (step, accuracy) in curve)
            csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},{step},{accuracy:R}"));
}
var plot = new ScottPlot.Plot();
foreach (var (name, curve) in curves)
{
    var line = plot.Add.Scatter(curve.Select(c => (double)c.Step).ToArray(), curve.Select(c => c.Accuracy).ToArray());
    line.LegendText = name;
    line.LineWidth = 2;
    line.MarkerSize = 3;
}
plot.Title("Fashion-MNIST, 784-100-100-100-10 sigmoid, SGD η = 0.1, batch 60");
plot.XLabel("training step");
plot.YLabel("test accuracy (2,000 test images)");
plot.ShowLegend();
plot.Legend.Alignment = ScottPlot.Alignment.LowerRight;
plot.SavePng(Path.Combine(outDir, "batchnorm.png"), 900, 560);
foreach (var (name, curve) in curves)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} final test accuracy {curve[^1].Accuracy:F4} after {curve[^1].Step} steps"));
Console.WriteLine($"wrote {Path.Combine(outDir, "batchnorm.csv")} and {Path.Combine(outDir, "batchnorm.png")}");
return 0;

#pragma warning disable CNET0020 // the deep sigmoid stack is the point of this sample
[Network(Input = 784, BatchSize = 60)]
[Dense(100, Activation.Sigmoid)]
[Dense(100, Activation.Sigmoid)]
[Dense(100, Activation.Sigmoid)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
partial class SigmoidNet { }

[Network(Input = 784, BatchSize = 60)]
[Dense(100, Activation.Sigmoid, BatchNorm = true)]
[Dense(100, Activation.Sigmoid, BatchNorm = true)]
[Dense(100, Activation.Sigmoid, BatchNorm = true)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
partial class SigmoidBatchNormNet { }
#pragma warning restore CNET0020
