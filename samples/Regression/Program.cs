using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using CompiledNet;
using CompiledNet.Samples;

// Regression end to end: predicts disease progression one year after baseline from ten baseline measurements of 442
// diabetes patients (Efron, Hastie, Johnstone & Tibshirani, "Least Angle Regression", Annals of Statistics 32(2), 2004),
// the copy of the table that scikit-learn ships. Holds out a test set, standardises the features and the target on
// the training set only, trains a 10-32-1 tanh network with a quadratic loss with early stopping on a validation set,
// and prints test RMSE, MAE and R² in the target's own unit, then a RESULT line; writes each test patient's target and
// prediction (regression-test.csv) and plots them (regression.png).
// Usage: dotnet run -c Release --project samples/Regression -- [--data DIR] [--epochs N] [--seed N] [--out DIR]; --help lists the options

var dataOption = SampleCommandLine.Text("--data", "folder with diabetes_data_raw.csv.gz and diabetes_target.csv.gz", "DIR",
    "/usr/lib/python3/dist-packages/sklearn/datasets/data");
var epochsOption = SampleCommandLine.Int("--epochs", "training epochs", "N", defaultValue: 200);
var seedOption = SampleCommandLine.Int("--seed", "seed of the train/test split, the initial weights and the shuffles", "N", defaultValue: 1, min: 0);
var testShareOption = SampleCommandLine.Float("--test-share", "share of the patients held out for testing", "SHARE", 0.2f, 0.05f, 0.5f);
var outOption = SampleCommandLine.Out("regression-test.csv (each test patient's target and prediction) and regression.png (the same as a plot)");

var command = new RootCommand("Trains a regression network on the diabetes table (442 patients, 10 features) and reports test RMSE, MAE and R²; ends with a RESULT line.")
{
    dataOption, epochsOption, seedOption, testShareOption, outOption,
};
command.SetAction(Run);
return SampleCommandLine.Run(command, args);

int Run(ParseResult parse)
{
    string dir = parse.GetValue(dataOption)!, outDir = parse.GetValue(outOption)!;
    int epochs = parse.GetValue(epochsOption), seed = parse.GetValue(seedOption);
    float testShare = parse.GetValue(testShareOption);

    Dataset all;
    try
    {
        // Ten space-separated columns per patient in one file, the target in the other, row for row.
        all = Dataset.FromCsvFiles(Path.Combine(dir, "diabetes_data_raw.csv.gz"), Path.Combine(dir, "diabetes_target.csv.gz"),
            new CsvOptions { Separator = ' ', Scale = 1, HasHeader = false });
    }
    catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
    {
        Console.Error.WriteLine(ex.Message);
        Console.Error.WriteLine("The table comes with scikit-learn (Debian: apt-get install python3-sklearn); point --data at its sklearn/datasets/data folder.");
        return 1;
    }

    var (rest, test) = all.Split(testShare, seed);
    // A validation set from the training part decides when to stop (the test set plays no part in training).
    var (train, validation) = rest.Split(0.2, seed + 1L);
    var features = Standardizer.Fit(train);
    // The target (about 25 to 346) is standardised too, with the training set's mean and deviation, so the network's
    // linear output works near unit scale; predictions are mapped back before measuring.
    var (mean, sd) = MeanAndDeviation(train.AllTargets);
    Dataset Scaled(Dataset d)
    {
        var y = d.AllTargets.ToArray();
        for (int i = 0; i < y.Length; i++) y[i] = (float)((y[i] - mean) / sd);
        return Dataset.ForRegression(d.Standardize(features).AllFeatures.ToArray(), d.FeatureSize, y);
    }
    var trainScaled = Scaled(train);
    var validationScaled = Scaled(validation);
    var testScaled = Scaled(test);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"diabetes: {all.Count} patients, {all.FeatureSize} features; train {train.Count}, validation {validation.Count}, test {test.Count}; target mean {mean:F1}, sd {sd:F1} (training set)"));

    var net = new DiabetesNet(seed) { TrainingThreads = 1 };   // one thread: the same figures on every machine
    var result = Trainer.Train(net, trainScaled, new TrainingOptions
        {
            Epochs = epochs,
            Seed = seed,
            ValidationData = validationScaled,
            EarlyStoppingPatience = 20,   // stop 20 epochs after the best validation loss, and keep that epoch's weights
        },
        new SynchronousProgress<EpochReport>(r =>
        {
            if (r.Epoch % 20 == 0 || r.Epoch == r.Epochs)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  epoch {r.Epoch}/{r.Epochs}  train_loss {r.TrainLoss:F4}  validation_rmse {r.ValidationRegression!.Value.Rmse * sd:F2}  validation_r2 {r.ValidationRegression!.Value.RSquared:F4}"));
        }));

    Console.WriteLine(result.StoppedEarly ? $"stopped early; kept epoch {result.BestEpoch}" : $"kept epoch {result.BestEpoch}");
    // RMSE and MAE scale with the target's deviation; R² does not change under the affine map.
    var scaled = Evaluator.EvaluateRegression(net, testScaled);
    double rmse = scaled.Rmse * sd, mae = scaled.Mae * sd;
    var baseline = MeanAndDeviation(test.AllTargets);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"test: RMSE {rmse:F2}  MAE {mae:F2}  R² {scaled.RSquared:F4}  (predicting the training mean: RMSE {Math.Sqrt(baseline.Sd * baseline.Sd + (baseline.Mean - mean) * (baseline.Mean - mean)):F2})"));
    Directory.CreateDirectory(outDir);
    string csv = Path.Combine(outDir, "regression-test.csv");
    var targets = new double[test.Count];
    var predictions = new double[test.Count];
    using (var writer = new StreamWriter(csv))
    {
        writer.WriteLine("target,prediction");
        Span<float> prediction = stackalloc float[1];
        for (int i = 0; i < testScaled.Count; i++)
        {
            net.Predict(testScaled.Features(i), prediction);
            targets[i] = test.Targets(i)[0];
            predictions[i] = prediction[0] * sd + mean;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{test.Targets(i)[0]:R},{predictions[i]:F2}"));
        }
    }
    string png = Path.Combine(outDir, "regression.png");
    PlotPredictions(targets, predictions, scaled.RSquared, rmse, png);
    Console.WriteLine($"wrote {csv} and {png}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RESULT test_rmse={rmse:F2} test_mae={mae:F2} test_r2={scaled.RSquared:F4} best_epoch={result.BestEpoch} train_seconds={result.TotalSeconds:F2}"));
    return 0;
}

// Each test patient as a point (target across, prediction up) with the line where the two are equal: the vertical
// distance of a point from the line is that patient's error.
static void PlotPredictions(double[] targets, double[] predictions, double rSquared, double rmse, string path)
{
    double low = Math.Min(targets.Min(), predictions.Min()), high = Math.Max(targets.Max(), predictions.Max());
    double margin = (high - low) * 0.05;
    low -= margin;
    high += margin;
    var plot = new ScottPlot.Plot();
    var identity = plot.Add.Line(low, low, high, high);
    identity.LegendText = "prediction = target";
    identity.LinePattern = ScottPlot.LinePattern.Dashed;
    identity.LineColor = ScottPlot.Colors.Gray;
    identity.LineWidth = 1.5f;
    var points = plot.Add.ScatterPoints(targets, predictions);
    points.LegendText = $"{targets.Length} test patients";
    points.MarkerSize = 7;
    plot.Title(string.Create(CultureInfo.InvariantCulture, $"10-32-1 network on the test patients: R² = {rSquared:F2}, RMSE = {rmse:F1}"));
    plot.XLabel("target: disease progression one year after baseline");
    plot.YLabel("prediction");
    plot.Axes.SetLimits(low, high, low, high);
    plot.ShowLegend();
    plot.Legend.Alignment = ScottPlot.Alignment.UpperLeft;
    plot.SavePng(path, 760, 680);
}

static (double Mean, double Sd) MeanAndDeviation(ReadOnlySpan<float> values)
{
    double sum = 0, squares = 0;
    foreach (float v in values) sum += v;
    double mean = sum / values.Length;
    foreach (float v in values) squares += (v - mean) * (v - mean);
    return (mean, Math.Sqrt(squares / values.Length));
}

/// <summary>Ten standardised measurements in, one standardised target out; weight decay keeps 442 patients from being memorised.</summary>
[Network(Input = 10, BatchSize = 32)]
[Dense(32, Activation.Tanh)]
[Dense(1, Activation.Linear)]
[Loss(LossKind.Quadratic)]
[Optimizer(OptimizerKind.Adam, LearningRate = 0.001f)]
[Regularization(L2 = 1e-3f)]
public partial class DiabetesNet { }
