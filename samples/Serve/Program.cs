using System;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using CompiledNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serve;

// samples/Serve: a Fashion-MNIST classifier as a web service (ASP.NET Core minimal API, Native AOT), plus the
// command-line classifier and a load test.
//   Serve [serve] [--checkpoint FILE] [--url http://127.0.0.1:5000] [--data DIR] [--Serve:Setting=value …]   the service (docs/serving.md)
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
    var started = System.Diagnostics.Stopwatch.StartNew();
    Microsoft.AspNetCore.Builder.WebApplication app;
    ServeOptions options;
    try
    {
        app = FashionService.Build(args);
        options = app.Services.GetRequiredService<IOptions<ServeOptions>>().Value;   // validated here: a bad setting stops the start
    }
    catch (OptionsValidationException ex)
    {
        Console.Error.WriteLine(string.Join(Environment.NewLine, ex.Failures));
        return 2;
    }
    catch (InvalidOperationException ex)   // a setting that does not bind (unknown key, not a number)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }
    if (options.Checkpoint is null)
    {
        string data = options.Data ?? FashionMnist.DefaultDirectory;
        Console.WriteLine($"no --checkpoint given: training a quick network on {data} (2 epochs) …");
        try
        {
            var net = new FashionNet(1);
            var (train, test) = FashionMnist.Load(data);
            Trainer.Train(net, train, new TrainingOptions { Epochs = 2, Seed = 1 });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained: test accuracy {Evaluator.Evaluate(net, test).Accuracy:F4}"));
            app.Services.GetRequiredService<ModelStore>().Use(net);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{ex.Message}\nGive --checkpoint FILE (samples/FashionMnist --save FILE writes one) or install dataset-fashion-mnist.");
            return 1;
        }
    }
    try
    {
        await app.StartAsync();
    }
    catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException or FormatException or UriFormatException)
    {
        Console.Error.WriteLine($"Cannot start: {ex.Message}");
        return 1;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"listening on {string.Join(", ", app.Urls)} ({started.Elapsed.TotalMilliseconds:F0} ms after start-up began); Ctrl+C stops"));
    await app.WaitForShutdownAsync();
    return 0;
}
