using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using CompiledNet;
using CompiledNet.Samples;

// Trains the same 784-128-10 ReLU network on Fashion-MNIST with each of the classic optimizers and compares them.
// Writes optimizers.csv (optimizer, epoch, train_loss, test_accuracy, seconds) and optimizers.png (loss curves).
// Usage: dotnet run -c Release --project samples/Optimizers -- [--data DIR] [--epochs N] [--out DIR]; --help lists the options

var dataOption = SampleCommandLine.Data();
var epochsOption = SampleCommandLine.Int("--epochs", "training epochs of each optimizer", "N", defaultValue: 6);
var outOption = SampleCommandLine.Out("optimizers.csv and optimizers.png");

var command = new RootCommand("Trains one 784-128-10 ReLU network on Fashion-MNIST with SGD, momentum, Nesterov, Adagrad, RMSProp and Adam and compares them.")
{
    dataOption, epochsOption, outOption,
};
command.SetAction(Run);
return SampleCommandLine.Run(command, args);

int Run(ParseResult parse)
{
    string dataDir = parse.GetValue(dataOption)!, outDir = parse.GetValue(outOption)!;
    int epochs = parse.GetValue(epochsOption);

    Dataset train, test;
    try
    {
        (train, test) = FashionMnist.Load(dataDir);
    }
    catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
    {
        Console.Error.WriteLine(ex.Message);
        return 1;
    }

    var runs = new (string Name, Func<ITrainable> Create)[]
    {
        ("SGD", () => new SgdNet(1)),
        ("Momentum", () => new MomentumNet(1)),
        ("Nesterov", () => new NesterovNet(1)),
        ("Adagrad", () => new AdagradNet(1)),
        ("RMSProp", () => new RmsPropNet(1)),
        ("Adam", () => new AdamNet(1)),
    };

    var rows = new List<(string Optimizer, EpochReport Report)>();
    foreach (var (name, create) in runs)
    {
        var net = create();
        Console.WriteLine($"{name}: η = {net.LearningRate.ToString(CultureInfo.InvariantCulture)}");
        Trainer.Train(net, train, new TrainingOptions { Epochs = epochs, Seed = 1, TestData = test }, new SynchronousProgress<EpochReport>(r =>
        {
            rows.Add((name, r));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  epoch {r.Epoch}/{r.Epochs}  train_loss {r.TrainLoss:F4}  test_accuracy {r.TestAccuracy:F4}  seconds {r.Seconds:F2}"));
        }));
    }

    Directory.CreateDirectory(outDir);
    string csv = Path.Combine(outDir, "optimizers.csv");
    using (var writer = new StreamWriter(csv))
    {
        writer.WriteLine("optimizer,epoch,train_loss,test_accuracy,seconds");
        foreach (var (optimizer, r) in rows)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{optimizer},{r.Epoch},{r.TrainLoss:R},{r.TestAccuracy:R},{r.Seconds:R}"));
    }

    var plot = new ScottPlot.Plot();
    foreach (var (name, _) in runs)
    {
        var mine = rows.Where(x => x.Optimizer == name).Select(x => x.Report).ToArray();
        var line = plot.Add.Scatter(mine.Select(r => (double)r.Epoch).ToArray(), mine.Select(r => r.TrainLoss).ToArray());
        line.LegendText = name;
        line.LineWidth = 2;
    }
    plot.Title("Fashion-MNIST, 784-128-10 ReLU: training loss by optimizer");
    plot.XLabel("epoch");
    plot.YLabel("mean training loss (softmax cross-entropy)");
    plot.ShowLegend();
    plot.Legend.Alignment = ScottPlot.Alignment.UpperRight;
    plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
    string png = Path.Combine(outDir, "optimizers.png");
    plot.SavePng(png, 900, 560);

    Console.WriteLine();
    Console.WriteLine("optimizer   final train loss   test accuracy   seconds/epoch");
    foreach (var (name, _) in runs)
    {
        var mine = rows.Where(x => x.Optimizer == name).Select(x => x.Report).ToArray();
        var last = mine[^1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-11} {last.TrainLoss,16:F4} {last.TestAccuracy,15:F4} {mine.Average(r => r.Seconds),15:F2}"));
    }
    Console.WriteLine($"wrote {csv} and {png}");
    return 0;
}

[Network(Input = 784, BatchSize = 64)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
partial class SgdNet { }

[Network(Input = 784, BatchSize = 64)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Momentum, LearningRate = 0.01f, Momentum = 0.9f)]
partial class MomentumNet { }

[Network(Input = 784, BatchSize = 64)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Nesterov, LearningRate = 0.01f, Momentum = 0.9f)]
partial class NesterovNet { }

[Network(Input = 784, BatchSize = 64)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adagrad, LearningRate = 0.02f)]
partial class AdagradNet { }

[Network(Input = 784, BatchSize = 64)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.RmsProp, LearningRate = 0.001f)]
partial class RmsPropNet { }

[Network(Input = 784, BatchSize = 64)]
[Dense(128, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
partial class AdamNet { }
