using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet;
using Serve;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace CompiledNet.Serve.Tests;

/// <summary>Memory and CPU are bounded by pixels decoded and decoders running, not by request bytes.</summary>
public class ResourceTests
{
    private readonly ITestOutputHelper _output;
    public ResourceTests(ITestOutputHelper output) => _output = output;

    private static readonly Lazy<byte[]> Png4096 = new(() => ServiceTests.Png(4096, 4096, (x, y) => 40));
    private static readonly Lazy<byte[]> Png2048 = new(() => ServiceTests.Png(2048, 2048, (x, y) => (byte)(x * 7 / 2048 * 30)));

    private static ByteArrayContent Content(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    [Fact]
    public void ThePixelBudgetIsCheckedFromTheHeaderAndAJpegCountsAtTheScaleItIsDecodedAt()
    {
        // A 4096×4096 PNG is a few kilobytes but 16.7 million pixels: refused before decoding.
        Assert.True(Png4096.Value.Length < 200_000, $"{Png4096.Value.Length} bytes");
        var (image, refusal) = FashionService.OpenImage(Png4096.Value, 2048L * 2048);
        Assert.Null(image);
        Assert.Equal(413, refusal!.Value.Status);

        // The same size as a JPEG is decoded at 1/8 scale (512×512), within the budget, and classified.
        byte[] jpeg = ServiceTests.Png(4096, 4096, (x, y) => x >= 1024 && x < 3072 && y >= 1024 && y < 3072 ? (byte)10 : (byte)245, SKEncodedImageFormat.Jpeg);
        (image, refusal) = FashionService.OpenImage(jpeg, 2048L * 2048);
        Assert.Null(refusal);
        using (image)
        {
            Assert.Equal(new SKSizeI(512, 512), image!.Decoded);
            var input = new float[784];
            Assert.Null(FashionService.DecodeImage(image, input));
            Assert.True(input[0] < 0.1f && input[14 * 28 + 14] > 0.9f, $"corner {input[0]}, centre {input[14 * 28 + 14]}");
        }

        // A budget smaller than the reduced size refuses the JPEG too, naming both sizes.
        (_, refusal) = FashionService.OpenImage(jpeg, 512 * 512 - 1);
        Assert.Equal("The Jpeg image is 4096x4096 pixels (decoded at reduced scale: 512x512), 262144 pixels to decode, over the decoding budget of 262143 pixels (e.g. 511x511): scale it down before sending.",
            refusal!.Value.Detail);
    }

    [Fact]
    public async Task WhenAllDecodersAreBusyAndTheQueueIsFullAnImageGets503WithRetryAfter()
    {
        await using var service = await TestService.Start(new FashionNet(1), "--Serve:MaxConcurrentDecodes=1", "--Serve:MaxQueuedDecodes=0");
        // Bursts of simultaneous uploads until one of them overlaps a decode: on a loaded machine the requests of a
        // burst can reach the service one after another, each finding the decoder free.
        var responses = new System.Collections.Generic.List<(HttpStatusCode StatusCode, TimeSpan? RetryAfter, (int Status, string Title, string Detail) Problem)>();
        for (int burst = 0; burst < 5 && !responses.Any(r => r.StatusCode == HttpStatusCode.ServiceUnavailable); burst++)
            responses.AddRange(await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                using var response = await service.Http.PostAsync("/predict", Content(Png2048.Value, "image/png"));
                return (response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta,
                    Problem: response.IsSuccessStatusCode ? default : await TestService.Problem(response));
            })));
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, r.StatusCode.ToString()));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToArray();
        Assert.NotEmpty(busy);
        Assert.All(busy, r =>
        {
            Assert.Equal(TimeSpan.FromSeconds(1), r.RetryAfter);
            Assert.StartsWith("All 1 image decoders are busy and 0 images wait already", r.Problem.Detail);
        });
        // JSON predictions do not wait for decoders.
        using var json = await service.Http.PostAsync("/predict", Content(Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("0.5", 784)) + "]"), "application/json"));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
    }

    /// <summary>
    /// The service in a process of its own (so that its memory is its own) receives 32 PNGs declaring 4096×4096 and
    /// 32 of 2048×2048 (at the budget), all at once, while /health/live is asked every 50 ms. Its peak resident memory
    /// (VmHWM) stays under 400 MB, and it answers every health probe. Before the budget, 32 declared 4096×4096 images
    /// took such a service to 2.1 GB.
    /// </summary>
    [Fact]
    public async Task ManyLargeImagesInParallelKeepTheProcessUnderItsMemoryCeilingAndHealthAnswersThroughout()
    {
        const long ceiling = 400L << 20;
        if (!File.Exists("/proc/self/status")) return;   // VmHWM is Linux's
        string directory = Path.Combine(Path.GetTempPath(), "serve-memory-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string checkpoint = Path.Combine(directory, "net.ckpt");
        Checkpoint.Save(new FashionNet(1), checkpoint);
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Serve.dll"), "serve", "--checkpoint", checkpoint,
            "--url", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning" }) start.ArgumentList.Add(a);
        var log = new StringBuilder();
        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try { using var ready = await http.GetAsync("/health/ready"); if (ready.IsSuccessStatusCode) break; }
                catch (HttpRequestException) { }
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30) && !server.HasExited, $"the service did not start:\n{log}");
                await Task.Delay(50);
            }
            long before = PeakResident(server.Id);
            var images = Enumerable.Repeat((Png4096.Value, 413), 32).Concat(Enumerable.Repeat((Png2048.Value, 200), 32)).ToArray();

            using var stop = new CancellationTokenSource();
            var probes = new ConcurrentBag<(HttpStatusCode Status, double Milliseconds)>();
            var health = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var watch = Stopwatch.StartNew();
                    using var response = await http.GetAsync("/health/live");
                    probes.Add((response.StatusCode, watch.Elapsed.TotalMilliseconds));
                    await Task.Delay(50);
                }
            });
            var burst = Stopwatch.StartNew();
            var statuses = await Task.WhenAll(images.Select(async image =>
            {
                using var response = await http.PostAsync("/predict", Content(image.Item1, "image/png"));
                await response.Content.ReadAsByteArrayAsync();
                return ((int)response.StatusCode, image.Item2);
            }));
            double burstSeconds = burst.Elapsed.TotalSeconds;
            await Task.Delay(200);
            stop.Cancel();
            await health;
            long peak = PeakResident(server.Id);
            _output.WriteLine($"peak resident memory: {before >> 20} MB after start-up, {peak >> 20} MB after the burst (ceiling {ceiling >> 20} MB); burst {burstSeconds:F1} s; " +
                $"{probes.Count} health probes, slowest {probes.Max(p => p.Milliseconds):F0} ms; statuses {string.Join(", ", statuses.GroupBy(s => s.Item1).Select(g => $"{g.Key}×{g.Count()}"))}");
            // Every declared 4096×4096 image is refused from its header; a budget-sized one is decoded, or refused with
            // 503 if it waited for a decoder longer than DecodeQueueTimeoutSeconds (on a loaded machine some do).
            Assert.All(statuses.Where(s => s.Item2 == 413), s => Assert.Equal(413, s.Item1));
            Assert.All(statuses.Where(s => s.Item2 == 200), s => Assert.True(s.Item1 is 200 or 503, s.Item1.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Contains(statuses, s => s.Item1 == 200);
            Assert.True(probes.Count >= 3, $"{probes.Count} probes");
            Assert.All(probes, p => Assert.Equal(HttpStatusCode.OK, p.Status));
            // Generous: this runs on shared, loaded machines; a service whose decoders held every thread would miss it.
            Assert.True(probes.Max(p => p.Milliseconds) < 10_000, $"slowest health probe {probes.Max(p => p.Milliseconds):F0} ms");
            Assert.True(peak < ceiling, $"peak resident memory {peak >> 20} MB, over the ceiling of {ceiling >> 20} MB");
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            server.WaitForExit(5000);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The process's peak resident set (VmHWM), in bytes.</summary>
    private static long PeakResident(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    internal static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
