using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using CompiledNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve;
using SkiaSharp;
using Xunit;

namespace CompiledNet.Serve.Tests;

/// <summary>The service's operating conventions: health, metrics, OpenAPI, problem details, headers, options.</summary>
[Collection(MetricsCollection.Name)]
public class OperationsTests
{
    private static HttpContent Json(float[] x) => JsonContent.Create(x, ServeJson.Default.SingleArray);

    private static float[] Image(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, 784).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    [Fact]
    public async Task LivenessAndReadinessAreSeparateHealthChecks()
    {
        await using var service = await TestService.Start(new FashionNet(1));
        foreach (var path in new[] { "/health/live", "/health/ready", "/health" })
        {
            using var response = await service.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        }

        // No model loaded (no network given and no checkpoint): alive, but not ready for traffic.
        await using var empty = await TestService.Start(null);
        using (var live = await empty.Http.GetAsync("/health/live")) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await empty.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadinessFailsForANetworkWhoseOutputsAreNotFinite()
    {
        var broken = new FashionNet(1);
        broken.Parameters.Fill(float.NaN);
        await using var service = await TestService.Start(broken);
        using var ready = await service.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var live = await service.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task ANonFiniteOutputIsAProblemThatIsLoggedNotAJsonWriterException()
    {
        // Weights so large that a valid input overflows the network: the answer is a problem naming it, not a crash in
        // the JSON writer (which cannot write NaN or infinity).
        var broken = new FashionNet(1);
        broken.Parameters.Fill(1e30f);
        await using var service = await TestService.Start(broken);
        using var response = await service.Http.PostAsync("/predict", Json(Image(1)));
        var (status, _, detail) = await TestService.Problem(response);
        Assert.Equal(500, status);
        Assert.StartsWith("The model gave a non-finite output (", detail);
        Assert.Contains("the served checkpoint is broken", detail);
        Assert.Contains(service.Log.Entries, e => e.Event.Name == "NonFiniteOutput" && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task MetricsArePrometheusTextWithTheModelsOwnFiguresAndAspNetCoresRequestMetrics()
    {
        await using var service = await TestService.Start(new FashionNet(1));
        for (int i = 0; i < 3; i++)
            using (var ok = await service.Http.PostAsync("/predict", Json(Image(i)))) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var bad = new StringContent("hello", Encoding.UTF8, "text/plain");
        using (var refused = await service.Http.PostAsync("/predict", bad)) Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);

        using var response = await service.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        string[] lines = text.Split('\n');
        double Value(string prefix) => double.Parse(lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal)).Split(' ')[^1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, Value("compilednet_predictions_total{"));
        Assert.Equal(3, Value("compilednet_predict_duration_microseconds_count{"));
        Assert.True(Value("compilednet_predict_duration_microseconds_sum{") > 0);
        Assert.Equal(0, Value("compilednet_predict_allocated_bytes_total{"));   // Predict allocates nothing
        Assert.Contains(lines, l => l.StartsWith("compilednet_refusals_total{", StringComparison.Ordinal) && l.Contains("http_response_status_code=\"415\"") && l.EndsWith(" 1"));
        Assert.Contains(lines, l => l.StartsWith("http_server_request_duration_seconds_bucket{", StringComparison.Ordinal) && l.Contains("http_route=\"/predict\""));
        Assert.Contains("# TYPE compilednet_predictions_total counter", text);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesPredictsJsonAndImageFormsAndItsProblems()
    {
        await using var service = await TestService.Start(new FashionNet(1));
        using var response = await service.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var post = json.RootElement.GetProperty("paths").GetProperty("/predict").GetProperty("post");
        var content = post.GetProperty("requestBody").GetProperty("content");
        Assert.Equal(new[] { "application/json", "application/octet-stream", "image/jpeg", "image/png", "multipart/form-data" },
            content.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        var array = content.GetProperty("application/json").GetProperty("schema");
        Assert.Equal(784, array.GetProperty("minItems").GetInt32());
        Assert.Equal(784, array.GetProperty("maxItems").GetInt32());
        var responses = post.GetProperty("responses");
        Assert.Equal(new[] { "200", "400", "413", "415", "503" }, responses.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.True(responses.GetProperty("415").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.True(responses.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").ValueKind == JsonValueKind.Object);
    }

    [Fact]
    public async Task NotFoundAndMethodNotAllowedAreProblems()
    {
        await using var service = await TestService.Start(new FashionNet(1));
        using (var missing = await service.Http.GetAsync("/nothing-here"))
        {
            var (status, title, _) = await TestService.Problem(missing);
            Assert.Equal(404, status);
            Assert.Equal("Not Found", title);
        }
        using var wrongMethod = await service.Http.GetAsync("/predict");
        var problem = await TestService.Problem(wrongMethod);
        Assert.Equal(405, problem.Status);
        Assert.Equal("POST", string.Join(",", wrongMethod.Content.Headers.Allow));
    }

    [Fact]
    public async Task ThePageHasSecurityHeadersAndTheServerHeaderIsOff()
    {
        await using var service = await TestService.Start(new FashionNet(1));
        using var page = await service.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        string csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("default-src 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        // The hashes in the policy are those of the page's inline script and style (so the browser runs them).
        string html = await page.Content.ReadAsStringAsync();
        foreach (var element in new[] { "script", "style" })
        {
            int start = html.IndexOf($"<{element}>", StringComparison.Ordinal) + element.Length + 2, end = html.IndexOf($"</{element}>", StringComparison.Ordinal);
            string hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(html[start..end])));
            Assert.Contains($"{element}-src 'sha256-{hash}'", csp);
        }
        Assert.False(page.Headers.Contains("Server"));
        using var api = await service.Http.PostAsync("/predict", Json(Image(2)));
        Assert.Equal("nosniff", api.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(api.Headers.Contains("Server"));
    }

    [Theory]
    [InlineData("--Serve:MaxConcurrentDecodes=0", "Serve:MaxConcurrentDecodes is 0; it must be 1 to 256.")]
    [InlineData("--Serve:MaxImagePixels=100", "Serve:MaxImagePixels is 100; it must be 784 to 67108864.")]
    [InlineData("--Serve:DecodeQueueTimeoutSeconds=-1", "Serve:DecodeQueueTimeoutSeconds is -1; it must be 0.001 to 600.")]
    [InlineData("--Serve:Checkpoint=/nonexistent/net.ckpt", "Serve:Checkpoint is '/nonexistent/net.ckpt', which is not a file")]
    public void ASettingOutOfRangeStopsTheStartWithItsNameAndValue(string setting, string message)
    {
        // Kestrel reads its limits from these options when the application is built, so that is where they are checked.
        var error = Assert.Throws<OptionsValidationException>(() =>
            FashionService.Build(new[] { "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=None", setting }, new FashionNet(1)));
        Assert.Contains(error.Failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void AMisspelledSettingOrOptionIsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FashionService.Build(new[] { "--urls", "http://127.0.0.1:0", "--Serve:MaxPixels=100" }, new FashionNet(1)));
        Assert.Contains("'MaxPixels'", error.Message);
        var unknown = Assert.Throws<ArgumentException>(() => FashionService.Build(new[] { "--checkpiont", "x" }));
        Assert.StartsWith("Unknown option '--checkpiont'.", unknown.Message);
    }

    [Fact]
    public async Task SettingsComeFromTheCommandLineTheEnvironmentAndAppSettings()
    {
        Environment.SetEnvironmentVariable("Serve__MaxQueuedDecodes", "7");
        try
        {
            await using var service = await TestService.Start(new FashionNet(1), "--Serve:MaxImagePixels=1000000");
            var options = service.App.Services.GetRequiredService<IOptions<ServeOptions>>().Value;
            Assert.Equal(1_000_000, options.MaxImagePixels);
            Assert.Equal(7, options.MaxQueuedDecodes);
            // appsettings.json beside the program is read (nothing else sets this key).
            Assert.Equal("Warning", service.App.Configuration["Logging:LogLevel:Microsoft.AspNetCore"]);
            // The network given is the one singleton the requests use.
            Assert.Same(service.App.Services.GetRequiredService<ModelStore>().Current, service.App.Services.GetRequiredService<ModelStore>().Current);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Serve__MaxQueuedDecodes", null);
        }
    }
}

/// <summary>samples/Serve/run.sh hands its options to the program in every mode (with a stand-in for the published binary).</summary>
public sealed class RunScriptTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "serve-run-" + Guid.NewGuid().ToString("N"));

    public RunScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_out, "bin"));
        File.WriteAllText(Path.Combine(_out, "fashion.ckpt"), "");
        File.WriteAllText(Path.Combine(_out, "bin", "libSkiaSharp.so"), "");
        string fake = Path.Combine(_out, "bin", "Serve");
        File.WriteAllText(fake, "#!/usr/bin/env bash\necho \"args: $*\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);

    private string[] Run(params string[] args) => RunModel(null, args);

    private string[] RunModel(string? model, params string[] args)
    {
        var (code, output, errors) = RunScript(model, args);
        Assert.True(code == 0, errors);
        return output.Split('\n').Where(l => l.StartsWith("args: ", StringComparison.Ordinal)).Select(l => l[6..]).ToArray();
    }

    private (int Code, string Output, string Errors) RunScript(string? model, params string[] args)
    {
        string script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../samples/Serve/run.sh"));
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["OUT"] = _out;
        start.Environment["PUBLISH"] = "0";
        if (model is not null) start.Environment["MODEL"] = model;
        using var process = System.Diagnostics.Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }

    [Fact]
    public void ServeAndLoadTestAndClassifyPassTheirOptionsOn()
    {
        string ckpt = Path.Combine(_out, "fashion.ckpt");
        Assert.Equal(new[] { $"serve --checkpoint {ckpt} --url http://127.0.0.1:5000 --url http://127.0.0.1:6001 --Serve:MaxImagePixels=1000000" },
            Run("serve", "--url", "http://127.0.0.1:6001", "--Serve:MaxImagePixels=1000000"));
        Assert.Equal(new[] { $"serve --checkpoint {ckpt} --url http://127.0.0.1:5000 --url http://127.0.0.1:6002" }, Run("--url", "http://127.0.0.1:6002"));
        Assert.Equal(new[] { $"load-test --serve {ckpt} --data /usr/share/datasets/fashion-mnist --clients 3" }, Run("load-test", "--clients", "3"));
        var classify = Run("classify", "--count", "5");
        Assert.Equal(3, classify.Length);
        Assert.EndsWith("--count 10000 --count 5", classify[1]);
        Assert.EndsWith("image2.png --count 5", classify[2]);
    }

    [Fact]
    public void ModelCnnServesLoadsAndClassifiesTheConvolutionalCheckpoint()
    {
        string ckpt = Path.Combine(_out, "fashion-cnn.ckpt");
        File.WriteAllText(ckpt, "");
        Assert.Equal(new[] { $"serve --checkpoint {ckpt} --url http://127.0.0.1:5000" }, RunModel("cnn"));
        Assert.Equal(new[] { $"load-test --serve {ckpt} --data /usr/share/datasets/fashion-mnist" }, RunModel("cnn", "load-test"));
        var classify = RunModel("cnn", "classify");
        Assert.StartsWith($"classify --checkpoint {ckpt} ", classify[1]);
        Assert.StartsWith($"classify --checkpoint {ckpt} ", classify[2]);
    }

    [Fact]
    public void AnUnknownModelIsRefusedByName()
    {
        var (code, _, errors) = RunScript("rnn");
        Assert.Equal(2, code);
        Assert.Contains("Unknown MODEL 'rnn': dense (FashionNet, the default) or cnn (FashionCnn).", errors);
    }
}
