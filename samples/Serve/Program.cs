using System;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using CompiledNet;
using Microsoft.Extensions.Hosting;
using Serve;

// samples/Serve: a Fashion-MNIST classifier as a web service (ASP.NET Core minimal API, Native AOT), plus the
// command-line classifier and a load test.
//   Serve [serve] [--checkpoint FILE] [--url http://127.0.0.1:5000] [--data DIR]   the service (GET /, POST /predict, GET /health, GET /metrics)
//   Serve classify …                                                              the command-line classifier (see Classifier.cs)
//   Serve load-test (--url URL | --serve CHECKPOINT [--port N]) [--clients N] [--requests N] [--seconds S] [--warmup N] [--data DIR]
string command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "serve";
string[] rest = command == "serve" && (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) ? args : args[1..];
try
{
    switch (command)
    {
        case "classify": return Classifier.Run(rest);
        case "load-test": return await LoadTest.RunCommand(rest);
        case "serve": return await ServeMain(rest);
        default:
            Console.Error.WriteLine($"Unknown command '{command}': serve, classify or load-test.");
            return 2;
    }
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

static async Task<int> ServeMain(string[] args)
{
    string? checkpoint = null;
    string url = "http://127.0.0.1:5000", data = FashionMnist.DefaultDirectory;
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--checkpoint": checkpoint = Value(); break;
            case "--url": url = Value(); break;
            case "--data": data = Value(); break;
            default: throw new ArgumentException($"Unknown option '{args[i]}'. Usage: Serve [--checkpoint FILE] [--url URL] [--data DIR]");
        }
    }
    var started = System.Diagnostics.Stopwatch.StartNew();
    var net = new FashionNet(1);
    if (checkpoint is not null)
    {
        try { Checkpoint.Load(net, checkpoint); }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        Console.WriteLine($"loaded {checkpoint} ({FashionNet.Architecture})");
    }
    else
    {
        Console.WriteLine($"no --checkpoint given: training a quick network on {data} (2 epochs) …");
        try
        {
            var (train, test) = FashionMnist.Load(data);
            Trainer.Train(net, train, new TrainingOptions { Epochs = 2, Seed = 1 });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained: test accuracy {Evaluator.Evaluate(net, test).Accuracy:F4}"));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{ex.Message}\nGive --checkpoint FILE (samples/FashionMnist --save FILE writes one) or install dataset-fashion-mnist.");
            return 1;
        }
    }
    var app = FashionService.Build(net, url);
    try
    {
        await app.StartAsync();
    }
    catch (Exception ex) when (ex is IOException or InvalidOperationException or FormatException or UriFormatException)
    {
        Console.Error.WriteLine($"Cannot listen on {url}: {ex.Message}");
        return 1;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"listening on {string.Join(", ", app.Urls)} ({started.Elapsed.TotalMilliseconds:F0} ms after start-up began); Ctrl+C stops"));
    await app.WaitForShutdownAsync();
    return 0;
}
