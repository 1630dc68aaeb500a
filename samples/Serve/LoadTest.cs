using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet;

namespace Serve;

/// <summary>
/// A bounded load test against a running service: N concurrent clients post JSON predictions (Fashion-MNIST test
/// images when the data set is installed, otherwise seeded random images) until the request count or the time
/// limit is reached, then read the service's /metrics. Only 127.0.0.1 / localhost URLs are accepted.
/// </summary>
public static class LoadTest
{
    /// <summary>What one run measured.</summary>
    public sealed record Result(int Clients, long Requests, long Errors, double Seconds, double RequestsPerSecond,
        double P50Milliseconds, double P99Milliseconds, MetricsResponse? Server);

    public static async Task<int> RunCommand(string[] args)
    {
        string? url = null, data = FashionMnist.DefaultDirectory;
        int clients = 8, requests = 20000;
        double seconds = 30;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--url": url = Value(); break;
                case "--clients": clients = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--requests": requests = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--data": data = Value(); break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'. Usage: Serve load-test --url URL [--clients N] [--requests N] [--seconds S] [--data DIR]");
            }
        }
        if (url is null) throw new ArgumentException("Give --url of a running service, e.g. http://127.0.0.1:5000.");
        var result = await Run(new Uri(url), clients, requests, TimeSpan.FromSeconds(seconds), Bodies(data, 256));
        Console.WriteLine(Describe(result));
        return result.Errors == 0 ? 0 : 1;
    }

    public static string Describe(Result r)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"{r.Requests} requests from {r.Clients} clients in {r.Seconds:F1} s: {r.RequestsPerSecond:F0} requests/s, p50 {r.P50Milliseconds:F2} ms, p99 {r.P99Milliseconds:F2} ms (client-side), {r.Errors} errors"));
        if (r.Server is { } m)
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"\nserver: {m.Requests} requests, p50 {m.P50Milliseconds:F3} ms, p99 {m.P99Milliseconds:F3} ms in the server; {m.AllocatedBytesPerRequest:F0} bytes allocated per request, of which the model {m.ModelAllocatedBytesPerPrediction:F0}"));
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

    public static async Task<Result> Run(Uri service, int clients, long requests, TimeSpan limit, byte[][] bodies)
    {
        if (!service.IsLoopback) throw new ArgumentException($"The load test only runs against this machine (127.0.0.1 or localhost), not {service.Host}.");
        if (clients < 1 || requests < 1) throw new ArgumentException("At least one client and one request.");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = service, Timeout = TimeSpan.FromSeconds(30) };
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
                var content = new ByteArrayContent(bodies[n % bodies.Length]);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
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
        MetricsResponse? server = null;
        try { server = await http.GetFromJsonAsync("/metrics", ServeJson.Default.MetricsResponse); }
        catch (HttpRequestException) { }
        return new Result(clients, all.Length, errors, seconds, all.Length / seconds, P(0.50), P(0.99), server);
    }
}
