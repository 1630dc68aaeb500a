using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CompiledNet;

// Trains a network on Fashion-MNIST and reports test accuracy per epoch.
// Usage: dotnet run -c Release --project samples/FashionMnist -- [options]; --help lists them.
// The default network (FashionNet, 784-256-128-10 ReLU, SGD) is declared in samples/Shared/FashionNet.cs, shared with
// samples/Serve; `--recipe best` trains RecipeNet (RecipeNet.cs) with augmentation and a decaying learning rate.

const string Usage = """
Usage: FashionMnist [--data DIR] [--epochs N] [--seed S] [--save CHECKPOINT] [--out DIR]
                    [--augment] [--shift K] [--rotate DEGREES] [--augment-probability P]
                    [--balanced [oversample|undersample|equal]] [--curriculum [STAGES]]
                    [--recipe best] [--measure-augmentation]
  --augment              random shifts (up to --shift pixels, default 2) and rotations (up to --rotate degrees,
                         default 10) of each training image as its batch is assembled
  --augment-probability  chance that an image is shifted, and independently rotated (default 1; 0.5 in the recipe)
  --balanced             class-balanced batches; the policy for unequal classes (default oversample)
  --curriculum           easy-to-hard by each example's loss under the current network, STAGES stages (default 4),
                         one more stage each epoch
  --recipe best          RecipeNet (784-512-256-10, batch norm, dropout 0.2, Adam, η·0.93^epoch), augmentation
                         (shifts up to 1 px, rotations up to 8°, each with probability 0.5), 30 epochs unless
                         --epochs is given; --shift, --rotate, --augment-probability override
  --measure-augmentation images per second of augmentation and of batch assembly on one thread, then exit
""";

string dataDir = FashionMnist.DefaultDirectory;
int? epochsArgument = null;
int seed = 1;
string? savePath = null;
string outDir = ".";
bool augment = false, measure = false;
int? maxShift = null;
float? maxRotation = null;
float? augmentProbability = null;
ClassBalancePolicy? balance = null;
int curriculumStages = 0;
string? recipe = null;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    string? Optional() => i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
    try
    {
        switch (args[i])
        {
            case "--data": dataDir = Value(); break;
            case "--epochs": epochsArgument = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--save": savePath = Value(); break;
            case "--out": outDir = Value(); break;
            case "--augment": augment = true; break;
            case "--shift": maxShift = int.Parse(Value(), CultureInfo.InvariantCulture); augment = true; break;
            case "--rotate": maxRotation = float.Parse(Value(), CultureInfo.InvariantCulture); augment = true; break;
            case "--augment-probability": augmentProbability = float.Parse(Value(), CultureInfo.InvariantCulture); augment = true; break;
            case "--balanced":
                balance = Optional() switch
                {
                    null or "oversample" => ClassBalancePolicy.Oversample,
                    "undersample" => ClassBalancePolicy.Undersample,
                    "equal" => ClassBalancePolicy.EqualShare,
                    var other => throw new ArgumentException($"--balanced takes oversample, undersample or equal, not '{other}'"),
                };
                break;
            case "--curriculum": curriculumStages = Optional() is string stages ? int.Parse(stages, CultureInfo.InvariantCulture) : 4; break;
            case "--recipe":
                recipe = Value();
                if (recipe != "best") throw new ArgumentException($"--recipe knows 'best', not '{recipe}'");
                break;
            case "--measure-augmentation": measure = true; break;
            case "--help" or "-h":
                Console.WriteLine(Usage);
                return 0;
            default:
                Console.Error.WriteLine($"Unknown argument '{args[i]}'.");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }
    catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
    {
        Console.Error.WriteLine($"{args[i]}: {ex.Message}");
        return 2;
    }
}
if (balance is not null && curriculumStages > 0)
{
    Console.Error.WriteLine("--balanced and --curriculum are two batching strategies; choose one.");
    return 2;
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

if (measure) return AugmentationBenchmark.Run(train, maxShift ?? 2, maxRotation ?? 10);

Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images from {dataDir}");

ImageAugmentation? augmentation = augment || recipe == "best"
    ? new ImageAugmentation
    {
        MaxShift = maxShift ?? (recipe == "best" ? 1 : 2),
        MaxRotationDegrees = maxRotation ?? (recipe == "best" ? 8f : 10f),
        ShiftProbability = augmentProbability ?? (recipe == "best" ? 0.5f : 1f),
        RotationProbability = augmentProbability ?? (recipe == "best" ? 0.5f : 1f),
    }
    : null;
try { augmentation?.Validate(); }
catch (ArgumentException ex) { Console.Error.WriteLine(ex.Message); return 2; }
BatchingStrategy batching = balance is ClassBalancePolicy policy ? BatchingStrategy.ClassBalanced(policy)
    : curriculumStages > 0 ? BatchingStrategy.CurriculumByLoss(curriculumStages)
    : BatchingStrategy.Shuffle;
int epochs = epochsArgument ?? (recipe == "best" ? 30 : 10);
var options = new TrainingOptions { Epochs = epochs, Seed = seed, TestData = test, Batching = batching, Augmentation = augmentation };
string pipeline = $"batches: {batching.Name}; augmentation: " + (augmentation is null ? "none" : string.Create(CultureInfo.InvariantCulture,
    $"shifts up to {augmentation.MaxShift} px (p = {augmentation.ShiftProbability}), rotations up to {augmentation.MaxRotationDegrees}° (p = {augmentation.RotationProbability}), bilinear, border 0"));

var wall = Stopwatch.StartNew();
return recipe == "best"
    ? Train(new RecipeNet(seed), $"Recipe: {RecipeNet.Architecture} (RecipeNet.cs); {RecipeNet.ParameterCount} parameters, seed {seed}", "Fashion-MNIST recipe: 784-512-256-10, BN, dropout, Adam, augmentation")
    : Train(new FashionNet(seed), $"Network 784-256-128-10 ReLU, softmax cross-entropy, SGD η = {new FashionNet().LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {FashionNet.BatchSize}, {FashionNet.ParameterCount} parameters, seed {seed}", "Fashion-MNIST, 784-256-128-10 ReLU, SGD");

int Train<TNet>(TNet net, string description, string title) where TNet : ICompiledNetwork
{
    Console.WriteLine(description);
    Console.WriteLine(pipeline);
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
            result = Trainer.Train(net, train, options, new SynchronousProgress<EpochReport>(r =>
            {
                task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {r.Epoch}/{r.Epochs}: test accuracy {r.TestAccuracy:F4}");
                task.Increment(1);
            }));
        });
        foreach (var r in result.Epochs) Console.WriteLine(Line(r));
    }
    else
        result = Trainer.Train(net, train, options, new SynchronousProgress<EpochReport>(r => Console.WriteLine(Line(r))));

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
    plot.Title(title);
    plot.XLabel("epoch");
    plot.YLabel("loss / accuracy");
    plot.ShowLegend();
    plot.Legend.Alignment = ScottPlot.Alignment.MiddleRight; // between the accuracy (top) and the losses (bottom)
    plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, epochs / 15));
    plot.SavePng(Path.Combine(outDir, "fashion-mnist.png"), 900, 560);

    var final = Evaluator.Evaluate(net, test);
    if (savePath is not null)
    {
        Checkpoint.Save(net, savePath);
        Console.WriteLine($"saved {savePath}");
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RESULT test_accuracy={final.Accuracy:F4} train_seconds={result.TotalSeconds:F1} wall_seconds={wall.Elapsed.TotalSeconds:F1}"));
    return 0;
}
