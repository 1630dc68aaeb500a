using System;
using System.Globalization;
using System.IO;
using System.Linq;
using CompiledNet;

// Trains a 784-256-128-10 ReLU network on Fashion-MNIST with mini-batch SGD and reports test accuracy per epoch.
// Usage: dotnet run -c Release --project samples/FashionMnist -- [--data DIR] [--epochs N] [--seed S] [--save CHECKPOINT] [--out DIR]
// The network (FashionNet) is declared in samples/Shared/FashionNet.cs, shared with samples/Serve.

string dataDir = FashionMnist.DefaultDirectory;
int epochs = 10;
int seed = 1;
string? savePath = null;
string outDir = ".";
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--data": dataDir = Value(); break;
        case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--save": savePath = Value(); break;
        case "--out": outDir = Value(); break;
        case "--help" or "-h":
            Console.WriteLine("Usage: FashionMnist [--data DIR] [--epochs N] [--seed S] [--save CHECKPOINT] [--out DIR]");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: FashionMnist [--data DIR] [--epochs N] [--seed S] [--save CHECKPOINT] [--out DIR]");
            return 2;
    }
}

Dataset train, test;
try
{
    (train, test) = FashionMnist.Load(dataDir);
}
catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("Point --data at a folder with the four Fashion-MNIST IDX files, or run samples/FashionMnist/run.sh, which installs Debian's dataset-fashion-mnist package.");
    return 1;
}

Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images from {dataDir}");
Console.WriteLine($"Network 784-256-128-10 ReLU, softmax cross-entropy, SGD η = {new FashionNet().LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {FashionNet.BatchSize}, {FashionNet.ParameterCount} parameters, seed {seed}");

var net = new FashionNet(seed);
var options = new TrainingOptions { Epochs = epochs, Seed = seed, Evaluation = test };
string Line(EpochReport r) => string.Create(CultureInfo.InvariantCulture,
    $"epoch {r.Epoch}/{r.Epochs}  train_loss {r.TrainLoss:F4}  test_loss {r.TestLoss:F4}  test_accuracy {r.TestAccuracy:F4}  seconds {r.Seconds:F2}");

// A live progress bar in a terminal; plain per-epoch lines when the output is redirected or in CI (where
// Spectre.Console's progress display prints nothing at all).
bool interactive = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") != "true";
TrainingResult result;
if (interactive)
{
    result = null!;
    Spectre.Console.AnsiConsole.Progress().Start(ctx =>
    {
        var task = ctx.AddTask("training", maxValue: epochs);
        result = Trainer.Train(net, train, options, Progress.Sync<EpochReport>(r =>
        {
            task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {r.Epoch}/{r.Epochs}: test accuracy {r.TestAccuracy:F4}");
            task.Increment(1);
        }));
    });
    foreach (var r in result.Epochs) Console.WriteLine(Line(r));
}
else
    result = Trainer.Train(net, train, options, Progress.Sync<EpochReport>(r => Console.WriteLine(Line(r))));

Directory.CreateDirectory(outDir);
result.WriteCsv(Path.Combine(outDir, "fashion-mnist.csv"));
var plot = new ScottPlot.Plot();
double[] epochAxis = result.Epochs.Select(r => (double)r.Epoch).ToArray();
var trainLoss = plot.Add.Scatter(epochAxis, result.Epochs.Select(r => r.TrainLoss).ToArray());
trainLoss.LegendText = "training loss";
var testLoss = plot.Add.Scatter(epochAxis, result.Epochs.Select(r => r.TestLoss ?? double.NaN).ToArray());
testLoss.LegendText = "test loss";
var accuracy = plot.Add.Scatter(epochAxis, result.Epochs.Select(r => r.TestAccuracy ?? double.NaN).ToArray());
accuracy.LegendText = "test accuracy";
plot.Title("Fashion-MNIST, 784-256-128-10 ReLU, SGD");
plot.XLabel("epoch");
plot.YLabel("loss / accuracy");
plot.ShowLegend();
plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
plot.SavePng(Path.Combine(outDir, "fashion-mnist.png"), 900, 560);

var final = Evaluator.Evaluate(net, test);
if (savePath is not null)
{
    Checkpoint.Save(net, savePath, epochs);
    Console.WriteLine($"saved {savePath}");
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT test_accuracy={final.Accuracy:F4} train_seconds={result.TotalSeconds:F1}"));
return 0;
