using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using CompiledNet;
using CompiledNet.Samples;

// Overfitting and its cures: a wide network on 1,000 Fashion-MNIST training images, trained plainly and with L2,
// L1, dropout, weight decay and augmentation; train and test accuracy per epoch show the gap and how each regulariser
// changes it.
// Writes overfitting.csv and overfitting.png. Usage: dotnet run -c Release --project samples/Overfitting -- [--data DIR] [--epochs N] [--out DIR]; --help lists the options

var dataOption = SampleCommandLine.Data();
var epochsOption = SampleCommandLine.Int("--epochs", "training epochs of each run", "N", defaultValue: 60);
var outOption = SampleCommandLine.Out("overfitting.csv and overfitting.png");

var command = new RootCommand("A wide network on 1,000 Fashion-MNIST images, trained plainly and with L2, L1, dropout, weight decay and augmentation: the gap between train and test accuracy.")
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
    try { (train, test) = FashionMnist.Load(dataDir); }
    catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
    {
        Console.Error.WriteLine(ex.Message);
        return 1;
    }
    var small = train.Take(1000);
    var testSubset = test.Take(5000);

    // Augmentation: the plain network, each image shifted by up to 2 px and rotated by up to 10° as its batch is built.
    var shifted = new ImageAugmentation { MaxShift = 2, MaxRotationDegrees = 10f };
    var runs = new (string Name, ITrainable Net, ImageAugmentation? Augmentation)[]
    {
        ("plain", new PlainNet(1), null),
        ("L2 5e-3", new L2Net(1), null),
        ("L1 2e-4", new L1Net(1), null),
        ("dropout 0.5", new DropoutNet(1), null),
        ("weight decay 3e-4", new DecayNet(1), null),
        ("augmentation", new PlainNet(1), shifted),
    };
    var rows = new List<(string Model, int Epoch, double Train, double Test)>();
    foreach (var (name, net, augmentation) in runs)
    {
        Trainer.Train(net, small, new TrainingOptions { Epochs = epochs, Seed = 1, Augmentation = augmentation }, new SynchronousProgress<EpochReport>(r =>
        {
            if (r.Epoch % 5 != 0 && r.Epoch != 1) return;
            double trainAccuracy = Evaluator.Evaluate(net, small).Accuracy;
            double testAccuracy = Evaluator.Evaluate(net, testSubset).Accuracy;
            rows.Add((name, r.Epoch, trainAccuracy, testAccuracy));
        }));
        var last = rows[^1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-18} epoch {last.Epoch}: train accuracy {last.Train:F4}  test accuracy {last.Test:F4}  gap {last.Train - last.Test:F4}"));
    }

    Directory.CreateDirectory(outDir);
    using (var csv = new StreamWriter(Path.Combine(outDir, "overfitting.csv")))
    {
        csv.WriteLine("model,epoch,train_accuracy,test_accuracy");
        foreach (var row in rows)
            csv.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Model},{row.Epoch},{row.Train:R},{row.Test:R}"));
    }

    var plot = new ScottPlot.Plot();
    var palette = new ScottPlot.Palettes.Category10();
    int index = 0;
    foreach (var (name, _, _) in runs)
    {
        var mine = rows.Where(r => r.Model == name).ToArray();
        var color = palette.GetColor(index++);
        var trainLine = plot.Add.Scatter(mine.Select(r => (double)r.Epoch).ToArray(), mine.Select(r => r.Train).ToArray());
        trainLine.LegendText = name + " (train)";
        trainLine.Color = color;
        trainLine.LinePattern = ScottPlot.LinePattern.Dashed;
        trainLine.MarkerSize = 0;
        var testLine = plot.Add.Scatter(mine.Select(r => (double)r.Epoch).ToArray(), mine.Select(r => r.Test).ToArray());
        testLine.LegendText = name + " (test)";
        testLine.Color = color;
        testLine.LineWidth = 2;
        testLine.MarkerSize = 0;
    }
    plot.Title("784-512-512-10 ReLU on 1,000 Fashion-MNIST images: train (dashed) vs test accuracy");
    plot.XLabel("epoch");
    plot.YLabel("accuracy");
    plot.ShowLegend(ScottPlot.Edge.Right);   // outside the data: twelve entries would cover the test curves
    plot.SavePng(Path.Combine(outDir, "overfitting.png"), 1200, 620);
    Console.WriteLine($"wrote {Path.Combine(outDir, "overfitting.csv")} and {Path.Combine(outDir, "overfitting.png")}");
    return 0;
}

[Network(Input = 784, BatchSize = 20)]
[Dense(512, Activation.ReLU, Init = WeightInit.He)]
[Dense(512, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
partial class PlainNet { }

[Network(Input = 784, BatchSize = 20)]
[Dense(512, Activation.ReLU, Init = WeightInit.He)]
[Dense(512, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
[Regularization(L2 = 5e-3f)]
partial class L2Net { }

[Network(Input = 784, BatchSize = 20)]
[Dense(512, Activation.ReLU, Init = WeightInit.He)]
[Dense(512, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
[Regularization(L1 = 2e-4f)]
partial class L1Net { }

[Network(Input = 784, BatchSize = 20, InputDropout = 0.2f)]
[Dense(512, Activation.ReLU, Init = WeightInit.He, Dropout = 0.5f)]
[Dense(512, Activation.ReLU, Init = WeightInit.He, Dropout = 0.5f)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
partial class DropoutNet { }

[Network(Input = 784, BatchSize = 20)]
[Dense(512, Activation.ReLU, Init = WeightInit.He)]
[Dense(512, Activation.ReLU, Init = WeightInit.He)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.05f)]
[Regularization(WeightDecay = 3e-4f)]
partial class DecayNet { }
