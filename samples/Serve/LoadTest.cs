using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet;
using CompiledNet.Samples;

namespace Serve;

/// <summary>
/// A bounded load test against a running service: N concurrent clients post JSON predictions (Fashion-MNIST test
/// images when the data set is installed, otherwise seeded random images) until the request count or the time
/// limit is reached, then read the service's /stats. Only 127.0.0.1 / localhost URLs are accepted.
/// </summary>
public static class LoadTest
{
    /// <summary>What one run measured.</summary>
    /// <param name="Server">The service's /stats after the run (null if it did not answer).</param>
    /// <param name="AllocatedBytesPerRequest">Bytes the service's process allocated during the run, per request (from /stats before and after).</param>
    /// <param name="ModelAllocatedBytesPerRequest">Of those, bytes allocated inside <c>Predict</c>.</param>
    /// <param name="ModelMicrosecondsPerPrediction">Mean time inside <c>Predict</c> during the run.</param>
    public sealed record Result(int Clients, long Requests, long Errors, double Seconds, double RequestsPerSecond,
        double P50Milliseconds, double P99Milliseconds, StatsResponse? Server,
        double AllocatedBytesPerRequest, double ModelAllocatedBytesPerRequest, double ModelMicrosecondsPerPrediction);

    /// <summary>
    /// The <c>load-test</c> command: either --url of a running service or --serve CHECKPOINT to start this program as
    /// the service in a process of its own, load it and stop it.
    /// </summary>
    public static Command CreateCommand()
    {
        var url = SampleCommandLine.Text("--url", "a running service to load (127.0.0.1 or localhost only)", "URL");
        var serve = SampleCommandLine.Text("--serve", "start this program as the service with this checkpoint, load it, then stop it", "CHECKPOINT");
        var port = SampleCommandLine.Int("--port", "the port of the service --serve starts", "N", defaultValue: 5099, min: 1, max: 65535);
        var clients = SampleCommandLine.Int("--clients", "concurrent clients", "N", defaultValue: 8);
        var requests = SampleCommandLine.Int("--requests", "requests in all; the run stops at this count or after --seconds", "N", defaultValue: 20000);
        var seconds = SampleCommandLine.Float("--seconds", "time limit of the run", "S", defaultValue: 30, min: 0.001f, max: 86400);
        var warmup = SampleCommandLine.Int("--warmup", "requests sent before measuring", "N", defaultValue: 500, min: 0);
        var data = SampleCommandLine.Data();
        data.Description = "folder with the Fashion-MNIST test images the requests send (random pixels when missing)";
        var command = new Command("load-test", "Loads a service with concurrent JSON predictions and reports requests per second, latencies and allocations.")
        {
            url, serve, port, clients, requests, seconds, warmup, data,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(url) is null) == (result.GetResult(serve) is null))
                result.AddError("Give either --url of a running service or --serve CHECKPOINT to start one.");
        });
        command.SetAction((parse, _) => RunCommand(parse.GetValue(url), parse.GetValue(serve), parse.GetValue(port), parse.GetValue(clients),
            parse.GetValue(requests), parse.GetValue(seconds), parse.GetValue(warmup), parse.GetValue(data)!));
        return command;
    }

    /// <summary>
    /// Runs the command line that follows <c>load-test</c>. One that does not parse throws <see cref="ArgumentException"/>
    /// naming each problem.
    /// </summary>
    public static async Task<int> RunCommand(string[] args)
    {
        var parsed = new RootCommand { CreateCommand() }.Parse(new[] { "load-test" }.Concat(args).ToArray());
        if (parsed.Errors.Count > 0) throw new ArgumentException(string.Join(" ", parsed.Errors.Select(e => e.Message)));
        return await parsed.InvokeAsync();
    }

    private static async Task<int> RunCommand(string? url, string? serve, int port, int clients, int requests, double seconds, int warmup, string data)
    {
        var bodies = Bodies(data, 256);
        if (serve is null)
        {
            var result = await Run(new Uri(url!), clients, requests, TimeSpan.FromSeconds(seconds), bodies, warmup);
            Console.WriteLine(Describe(result));
            return result.Errors == 0 ? 0 : 1;
        }

        // Start this same program as the service, in a process of its own, so that its allocations are its own.
        var service = new Uri($"http://127.0.0.1:{port}");
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The program's own path is unknown.");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")   // not Native AOT: run the same assembly with the same host
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, typeof(LoadTest).Assembly.GetName().Name + ".dll"));
        foreach (var a in new[] { "serve", "--checkpoint", serve, "--url", service.ToString().TrimEnd('/') }) start.ArgumentList.Add(a);
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {self}.");
        child.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        ConsoleCancelEventHandler stop = (_, _) => { try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } };
        Console.CancelKeyPress += stop;
        try
        {
            using var probe = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(5) };
            double healthMs = -1;
            while (clock.Elapsed < TimeSpan.FromSeconds(30) && !child.HasExited)
            {
                try
                {
                    using var health = await probe.GetAsync("/health");
                    if (health.IsSuccessStatusCode) { healthMs = clock.Elapsed.TotalMilliseconds; break; }
                }
                catch (HttpRequestException) { }
                await Task.Delay(1);
            }
            if (healthMs < 0)
            {
                Console.Error.WriteLine($"The service did not answer /health within {clock.Elapsed.TotalSeconds:F0} s{(child.HasExited ? $" (it exited with {child.ExitCode})" : "")}:");
                lock (output) Console.Error.Write(output.ToString());
                return 1;
            }
            var content = new ByteArrayContent(bodies[0]);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using (var first = await probe.PostAsync("/predict", content)) first.EnsureSuccessStatusCode();
            double firstMs = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"service started: /health answered {healthMs:F0} ms and the first prediction {firstMs:F0} ms after the process was started"));
            var result = await Run(service, clients, requests, TimeSpan.FromSeconds(seconds), bodies, warmup);
            Console.WriteLine(Describe(result));
            return result.Errors == 0 ? 0 : 1;
        }
        finally
        {
            Console.CancelKeyPress -= stop;
            if (!child.HasExited) child.Kill(entireProcessTree: true);
            child.WaitForExit(5000);
        }
    }

    public static string Describe(Result r)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"{r.Requests} requests from {r.Clients} clients in {r.Seconds:F1} s: {r.RequestsPerSecond:F0} requests/s, p50 {r.P50Milliseconds:F2} ms, p99 {r.P99Milliseconds:F2} ms (client-side), {r.Errors} errors"));
        if (r.Server is { } m)
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"\nin the server: p50 {m.P50Milliseconds:F3} ms, p99 {m.P99Milliseconds:F3} ms (last {m.LatencySamples} requests), of which Predict {r.ModelMicrosecondsPerPrediction:F1} µs per prediction" +
                $"\nallocated by the service's process during the run: {r.AllocatedBytesPerRequest:F0} bytes per request, of which the model {r.ModelAllocatedBytesPerRequest:F0} bytes" +
                $" ({(r.AllocatedBytesPerRequest > 0 ? 100 * r.ModelAllocatedBytesPerRequest / r.AllocatedBytesPerRequest : 0):F1}%)"));
        return text.ToString();
    }

    /// <summary>JSON bodies of test images: the first <paramref name="count"/> of the Fashion-MNIST test set, or seeded random images without it.</summary>
    public static byte[][] Bodies(string? dataDirectory, int count)
    {
        float[][] images;
        try
        {
            var (_, test) = FashionMnist.Load(dataDirectory ?? FashionMnist.DefaultDirectory);
            images = Enumerable.Range(0, Math.Min(count, test.Count)).Select(i => test.Features(i).ToArray()).ToArray();
        }
        catch (Exception ex) when (ex is System.IO.IOException or System.IO.InvalidDataException or UnauthorizedAccessException)
        {
            var rng = new Random(1);
            images = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, 784).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        }
        return images.Select(x => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(x, ServeJson.Default.SingleArray)).ToArray();
    }

    /// <summary>
    /// Runs <paramref name="clients"/> concurrent clients until <paramref name="requests"/> requests are answered or
    /// <paramref name="limit"/> has passed, after <paramref name="warmup"/> unmeasured requests.
    /// </summary>
    public static async Task<Result> Run(Uri service, int clients, long requests, TimeSpan limit, byte[][] bodies, int warmup = 0)
    {
        if (!service.IsLoopback) throw new ArgumentException($"The load test only runs against this machine (127.0.0.1 or localhost), not {service.Host}.");
        if (clients < 1 || requests < 1) throw new ArgumentException("At least one client and one request.");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = service, Timeout = TimeSpan.FromSeconds(30) };
        for (int i = 0; i < warmup; i++)
        {
            using var response = await http.PostAsync("/predict", Json(bodies[i % bodies.Length]));
            await response.Content.ReadAsByteArrayAsync();
        }
        var before = await Metrics(http);
        long issued = 0, errors = 0;
        var latencies = new List<double>[clients];
        var deadline = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = latencies[c] = new List<double>();
            while (deadline.Elapsed < limit)
            {
                long n = Interlocked.Increment(ref issued);
                if (n > requests) break;
                var content = Json(bodies[n % bodies.Length]);
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync("/predict", content);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                }
                catch (HttpRequestException) { Interlocked.Increment(ref errors); }
                catch (TaskCanceledException) { Interlocked.Increment(ref errors); }
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }).ToArray();
        await Task.WhenAll(tasks);
        double seconds = deadline.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).OrderBy(v => v).ToArray();
        double P(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(q * all.Length))];
        var server = await Metrics(http);
        double bytes = 0, modelBytes = 0, modelMicroseconds = 0;
        if (before is not null && server is not null && server.Requests > before.Requests)
        {
            long requestsDuring = server.Requests - before.Requests, predictionsDuring = server.Predictions - before.Predictions;
            bytes = (double)(server.AllocatedBytes - before.AllocatedBytes) / requestsDuring;
            modelBytes = (double)(server.ModelAllocatedBytes - before.ModelAllocatedBytes) / requestsDuring;
            if (predictionsDuring > 0)
                modelMicroseconds = (server.ModelMicrosecondsPerPrediction * server.Predictions - before.ModelMicrosecondsPerPrediction * before.Predictions) / predictionsDuring;
        }
        return new Result(clients, all.Length, errors, seconds, all.Length / seconds, P(0.50), P(0.99), server, bytes, modelBytes, modelMicroseconds);
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task<StatsResponse?> Metrics(HttpClient http)
    {
        try { return await http.GetFromJsonAsync("/stats", ServeJson.Default.StatsResponse); }
        catch (HttpRequestException) { return null; }
    }
}
