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
using Microsoft.AspNetCore.Builder;
using Serve;
using SkiaSharp;
using Xunit;

namespace CompiledNet.Serve.Tests;

/// <summary>The service on 127.0.0.1 with a free port, around a seeded FashionNet.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public FashionNet Net { get; } = new(1);
    public WebApplication App { get; private set; } = null!;
    public Uri Address { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = FashionService.Build(Net, "http://127.0.0.1:0");
        await App.StartAsync();
        Address = new Uri(App.Urls.First());
        Http = new HttpClient { BaseAddress = Address };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

public class ServiceTests : IClassFixture<ServiceFixture>
{
    private readonly ServiceFixture _service;
    public ServiceTests(ServiceFixture service) => _service = service;

    private static float[] RandomImage(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, 784).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    internal static byte[] Png(int width, int height, Func<int, int, byte> grey, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor(grey(x, y), grey(x, y), grey(x, y)));
        using var data = bitmap.Encode(format, 95);
        return data.ToArray();
    }

    private async Task<(HttpStatusCode Status, string Body)> Post(HttpContent content)
    {
        using var response = await _service.Http.PostAsync("/predict", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static PredictResponse Parse(string body) => JsonSerializer.Deserialize(body, ServeJson.Default.PredictResponse)!;

    [Fact]
    public async Task AJsonArrayIsPredictedExactlyAsPredictDoes()
    {
        var x = RandomImage(3);
        var (status, body) = await Post(JsonContent.Create(x, ServeJson.Default.SingleArray));
        Assert.Equal(HttpStatusCode.OK, status);
        var answer = Parse(body);
        var expected = new float[10];
        _service.Net.Predict(x, expected);
        Assert.Equal(expected, answer.Probabilities);
        Assert.Equal(_service.Net.Classify(x), answer.Class);
        Assert.Equal(FashionMnist.ClassNames[answer.Class], answer.Name);
        Assert.Equal(x, answer.Input);
    }

    [Fact]
    public async Task A28By28PngIsScaledLikeTheTrainingDataAsBodyOrAsAFormFile()
    {
        byte[] png = Png(28, 28, (x, y) => (byte)((x * 9 + y * 5) % 256));
        var expectedInput = Enumerable.Range(0, 784).Select(i => ((i % 28) * 9 + (i / 28) * 5) % 256 / 255f).ToArray();

        var raw = new ByteArrayContent(png);
        raw.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var (status, body) = await Post(raw);
        Assert.Equal(HttpStatusCode.OK, status);
        var answer = Parse(body);
        Assert.Equal(expectedInput, answer.Input);
        Assert.Equal(_service.Net.Classify(expectedInput), answer.Class);

        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "item.png");
        (status, body) = await Post(form);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expectedInput, Parse(body).Input);
    }

    [Fact]
    public async Task ALargerJpegOnWhiteIsScaledAndInverted()
    {
        // A dark 40×40 square on a white 112×112 JPEG: after scaling and inversion, a light square on black.
        byte[] jpeg = Png(112, 112, (x, y) => x >= 36 && x < 76 && y >= 36 && y < 76 ? (byte)20 : (byte)250, SKEncodedImageFormat.Jpeg);
        var content = new ByteArrayContent(jpeg);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        var (status, body) = await Post(content);
        Assert.Equal(HttpStatusCode.OK, status);
        var input = Parse(body).Input;
        Assert.All(input, v => Assert.InRange(v, 0f, 1f));
        Assert.True(input[0] < 0.1f, $"corner {input[0]}");
        Assert.True(input[14 * 28 + 14] > 0.85f, $"centre {input[14 * 28 + 14]}");
    }

    public static TheoryData<string, byte[], int, string> BadRequests() => new()
    {
        { "application/json", Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("0.5", 783)) + "]"), 400, "Expected 784 numbers (28x28), got 783." },
        { "application/json", Encoding.UTF8.GetBytes("[0.1, \"a\", 0.3]"), 400, "Element 1 is not a number (String)." },
        { "application/json", Encoding.UTF8.GetBytes("{\"pixels\": []}"), 400, "must be a JSON array of 784 numbers" },
        { "application/json", Encoding.UTF8.GetBytes("[0.1, 0.2"), 400, "not valid JSON" },
        { "application/json", Encoding.UTF8.GetBytes("[1e39]"), 400, "Element 0 is not a finite 32-bit number." },
        { "image/png", Encoding.UTF8.GetBytes("certainly not a PNG"), 400, "The body is not a PNG or JPEG image." },
        { "image/png", Array.Empty<byte>(), 400, "The body is empty" },
        { "image/png", Png(5000, 2, (x, y) => 0), 400, "The image is 5000x2 pixels, over the limit of 4096x4096." },
        { "image/gif", Png(28, 28, (x, y) => 0, SKEncodedImageFormat.Webp), 400, "The image is Webp; send a PNG or JPEG." },
        { "text/plain", Encoding.UTF8.GetBytes("hello"), 400, "Unsupported Content-Type 'text/plain'" },
        { "application/json", new byte[FashionService.MaxBodyBytes + 1], 413, $"over the limit of {FashionService.MaxBodyBytes} bytes" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ABadRequestIsRefusedWithAMessageAndTheServiceCarriesOn(string type, byte[] body, int status, string message)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        var (actual, text) = await Post(content);
        Assert.Equal(status, (int)actual);
        var error = JsonSerializer.Deserialize(text, ServeJson.Default.ErrorResponse)!;
        Assert.Contains(message, error.Error);
        using var health = await _service.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task HealthAndMetricsAnswer()
    {
        var health = await _service.Http.GetFromJsonAsync("/health", ServeJson.Default.HealthResponse);
        Assert.Equal("ok", health!.Status);
        Assert.Equal(FashionNet.ParameterCount, health.Parameters);
        await Post(JsonContent.Create(RandomImage(1), ServeJson.Default.SingleArray));
        var metrics = await _service.Http.GetFromJsonAsync("/metrics", ServeJson.Default.MetricsResponse);
        Assert.True(metrics!.Requests >= 2);
        Assert.True(metrics.Predictions >= 1);
        Assert.True(metrics.P99Milliseconds >= metrics.P50Milliseconds);
        Assert.Equal(0, metrics.ModelAllocatedBytesPerPrediction);
    }

    [Fact]
    public async Task TheBoundedLoadTestRunsWithoutErrorsAndTheModelAllocatesNothing()
    {
        var result = await LoadTest.Run(_service.Address, clients: 4, requests: 400, TimeSpan.FromSeconds(30), LoadTest.Bodies("/nonexistent", 16));
        Assert.Equal(0, result.Errors);
        Assert.Equal(400, result.Requests);
        Assert.True(result.RequestsPerSecond > 0);
        Assert.NotNull(result.Server);
        Assert.Equal(0, result.Server!.ModelAllocatedBytesPerPrediction);
        Assert.True(result.Server.AllocatedBytesPerRequest > 0);
    }

    [Fact]
    public async Task TheLoadTestRefusesAnotherMachine()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => LoadTest.Run(new Uri("http://example.com/"), 1, 1, TimeSpan.FromSeconds(1), LoadTest.Bodies("/nonexistent", 1)));
    }
}
