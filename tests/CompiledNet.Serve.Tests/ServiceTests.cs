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
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
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
        App = FashionService.Build(new[] { "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" }, Net);
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
        var pixels = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                pixels[y * bitmap.RowBytes + x] = grey(x, y);
        using var data = bitmap.Encode(format, 95);
        return data.ToArray();
    }

    /// <summary>
    /// POST /predict. <paramref name="expectContinue"/> for a body the service will refuse as too large: the client then
    /// waits for the server's go-ahead before sending it (as curl does), so the refusal cannot race the upload into a
    /// broken pipe.
    /// </summary>
    private async Task<(HttpStatusCode Status, string Body)> Post(HttpContent content, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.ExpectContinue = expectContinue;
        using var response = await _service.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>POST /predict, expecting a refusal: its status and the problem's detail (the media type checked).</summary>
    private async Task<(int Status, string Detail)> Refused(HttpContent content, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.ExpectContinue = expectContinue;
        using var response = await _service.Http.SendAsync(request);
        var problem = await TestService.Problem(response);
        return (problem.Status, problem.Detail);
    }

    private static string Detail(string problem) => JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!;

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
        // Scaled exactly like the training data: byte × (1f / 255), as IdxFile.ToSingle does.
        var expectedInput = new IdxArray(new[] { 784 }, Enumerable.Range(0, 784).Select(i => (byte)(((i % 28) * 9 + (i / 28) * 5) % 256)).ToArray()).ToSingle(1f / 255);

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
        { "application/json", Encoding.UTF8.GetBytes("[1e39]"), 400, "Element 0 is not a finite 32-bit number (1e39)." },
        { "application/json", Encoding.UTF8.GetBytes("[[0.5]]"), 400, "Element 0 is not a number (StartArray)." },
        { "application/json", Array.Empty<byte>(), 400, "The body is empty: send a JSON array of 784 numbers." },
        { "application/json", Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("0.5", 784)) + "] 7"), 400, "The body is not valid JSON: '7' is invalid after a single JSON value." },
        { "image/png", Encoding.UTF8.GetBytes("certainly not a PNG"), 400, "The body is not a PNG or JPEG image." },
        { "image/png", Array.Empty<byte>(), 400, "The body is empty" },
        { "image/png", Png(4096, 4096, (x, y) => 0), 413, "The Png image is 4096x4096 pixels, 16777216 pixels to decode, over the decoding budget of 4194304 pixels (e.g. 2048x2048): scale it down before sending." },
        { "application/json", Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("1e38", 784)) + "]"), 400, "Element 0 is 1e38, outside 0 to 1: pixels are bytes / 255 (0 = black, 1 = white), as the network was trained; divide 0-255 values by 255." },
        { "application/json", Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("0.5", 783)) + ",-0.001]"), 400, "Element 783 is -0.001, outside 0 to 1" },
        { "application/json; charset=utf-8", Encoding.UTF8.GetBytes("[255]"), 400, "Element 0 is 255, outside 0 to 1" },
        { "application/jsonx", Encoding.UTF8.GetBytes("[0.5]"), 415, "Unsupported Content-Type 'application/jsonx'" },
        { "application/json-patch+json", Encoding.UTF8.GetBytes("[0.5]"), 415, "Unsupported Content-Type 'application/json-patch+json'" },
        { "image/pngx", Png(28, 28, (x, y) => 0), 415, "Unsupported Content-Type 'image/pngx'" },
        { "image/png", Png(28, 28, (x, y) => (byte)(x * y))[..60], 400, "The Png image could not be decoded (IncompleteInput): is it truncated or damaged?" },
        { "multipart/form-data", Encoding.UTF8.GetBytes("no boundary"), 400, "The multipart form could not be read: " },
        { "multipart/form-data; boundary=xyz", Encoding.UTF8.GetBytes("--xyz\r\nnot a part"), 400, "The multipart form could not be read: " },
        { "multipart/form-data; boundary=xyz", Encoding.UTF8.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--xyz--\r\n"), 400, "The form has no file: send the image as a file field (e.g. \"image\")." },
        { "", Encoding.UTF8.GetBytes("[0.5]"), 415, "Unsupported Content-Type '': send application/json (784 numbers), image/png, image/jpeg, application/octet-stream (a PNG or JPEG), or multipart/form-data with one image file." },
        { "image/gif", Png(28, 28, (x, y) => 0, SKEncodedImageFormat.Webp), 415, "Unsupported Content-Type 'image/gif'" },
        { "image/png", Png(28, 28, (x, y) => 0, SKEncodedImageFormat.Webp), 400, "The image is Webp; send a PNG or JPEG." },
        { "text/plain", Encoding.UTF8.GetBytes("hello"), 415, "Unsupported Content-Type 'text/plain'" },
        { "application/json", new byte[FashionService.DefaultMaxBodyBytes + 1], 413, $"over the limit of {FashionService.DefaultMaxBodyBytes} bytes" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ABadRequestIsRefusedWithAMessageAndTheServiceCarriesOn(string type, byte[] body, int status, string message)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = type == "" ? null : MediaTypeHeaderValue.Parse(type);
        var (actual, detail) = await Refused(content, expectContinue: status == 413);
        Assert.Equal(status, actual);
        Assert.Contains(message, detail);
        using var health = await _service.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task AFormWithTwoFilesOrOverTheLimitIsRefused()
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Png(28, 28, (x, y) => 0)), "a", "a.png");
        form.Add(new ByteArrayContent(Png(28, 28, (x, y) => 0)), "b", "b.png");
        var (status, text) = await Post(form);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The form has 2 files; send one image.", Detail(text));

        var big = new MultipartFormDataContent { { new ByteArrayContent(new byte[FashionService.DefaultMaxBodyBytes]), "image", "big.png" } };
        (status, text) = await Post(big, expectContinue: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal($"The request body is over the limit of {FashionService.DefaultMaxBodyBytes} bytes.", Detail(text));
    }

    [Fact]
    public async Task ALargeJsonBodyUnderTheLimitIsReadWholeAndOneOverItIsRefused()
    {
        // Padded with spaces to exactly the limit, sent with a Content-Length; then 1 KiB less and 1 byte more, chunked
        // (Kestrel refuses a chunked body of exactly the limit).
        var x = RandomImage(5);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(x, ServeJson.Default.SingleArray);
        byte[] padded = json.Concat(Enumerable.Repeat((byte)' ', (int)FashionService.DefaultMaxBodyBytes - json.Length)).ToArray();
        var exact = new ByteArrayContent(padded);
        exact.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var (exactStatus, exactBody) = await Post(exact);
        Assert.True(exactStatus == HttpStatusCode.OK, exactBody);
        Assert.Equal(x, Parse(exactBody).Input);
        async Task<(HttpStatusCode, string)> PostChunked(byte[] bytes)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
            request.Headers.TransferEncodingChunked = true;
            request.Headers.ExpectContinue = bytes.Length > FashionService.DefaultMaxBodyBytes;
            using var response = await _service.Http.SendAsync(request);
            Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var (status, body) = await PostChunked(padded[..^1024]);
        Assert.True(status == HttpStatusCode.OK, body);
        Assert.Equal(x, Parse(body).Input);

        (status, body) = await PostChunked(padded.Append((byte)' ').ToArray());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal($"The request body is over the limit of {FashionService.DefaultMaxBodyBytes} bytes.", Detail(body));
    }

    [Fact]
    public async Task RefusalsAreCountedAsErrorsInTheMetrics()
    {
        var before = await _service.Http.GetFromJsonAsync("/stats", ServeJson.Default.StatsResponse);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("[1,2,3]"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(content)).Status);
        var after = await _service.Http.GetFromJsonAsync("/stats", ServeJson.Default.StatsResponse);
        Assert.True(after!.Errors >= before!.Errors + 1, $"errors {before.Errors} -> {after.Errors}");
        Assert.True(after.Requests >= before.Requests + 1);
    }

    private static float[] Received(string body) => Parse(body).Input;

    private async Task<float[]> Send(byte[] image, string type)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        var (status, body) = await Post(content);
        Assert.True(status == HttpStatusCode.OK, body);
        return Received(body);
    }

    [Fact]
    public async Task ATransparentPngIsCompositedOverWhiteThenInverted()
    {
        // An opaque black square on a fully transparent (black, alpha 0) background, as drawing programs save it.
        using var bitmap = new SKBitmap(new SKImageInfo(56, 56, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 56; y++)
            for (int x = 0; x < 56; x++)
                bitmap.SetPixel(x, y, x >= 14 && x < 42 && y >= 14 && y < 42 ? new SKColor(0, 0, 0, 255) : new SKColor(0, 0, 0, 0));
        var input = await Send(bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray(), "image/png");
        Assert.Equal(0f, input[0]);
        Assert.Equal(1f, input[14 * 28 + 14]);
    }

    [Fact]
    public async Task AWideImageKeepsItsProportionsAndIsCentred()
    {
        // 56×28, uniformly grey 100 (dark, so not inverted): the longer side becomes 28, so rows 7..20 are the image
        // and the rest is black background.
        var input = await Send(Png(56, 28, (x, y) => 100), "image/png");
        Assert.Equal(0f, input[3 * 28 + 14]);
        Assert.Equal(0f, input[24 * 28 + 14]);
        Assert.Equal(100 * (1f / 255), input[10 * 28 + 14], 0.01f);
        Assert.Equal(14 * 28, input.Count(v => v > 0.3f));
        Assert.Equal(14 * 28, input.Count(v => v == 0f));
    }

    [Fact]
    public async Task ALargeImageIsAveragedNotPointSampled()
    {
        // 1-pixel stripes at 560×560: every model pixel averages 20 of them, so all are mid-grey (no moiré).
        var input = await Send(Png(560, 560, (x, y) => x % 2 == 0 ? (byte)255 : (byte)0), "image/png");
        Assert.All(input, v => Assert.InRange(v, 0.4f, 0.6f));
    }

    [Fact]
    public async Task TheExifOrientationOfAJpegIsApplied()
    {
        // Stored 40×20 with a bright left quarter, tagged "rotate 90° clockwise to display" (orientation 6):
        // displayed 20×40, so the bright part is on top and the image is centred in columns 7..20.
        byte[] jpeg = Png(40, 20, (x, y) => x < 10 ? (byte)255 : (byte)0, SKEncodedImageFormat.Jpeg);
        byte[] exif = { 0xFF, 0xE1, 0, 34, (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0, (byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0,
            1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0 };
        byte[] tagged = jpeg[..2].Concat(exif).Concat(jpeg[2..]).ToArray();
        var input = await Send(tagged, "image/jpeg");
        Assert.True(input[2 * 28 + 14] > 0.8f, $"top centre {input[2 * 28 + 14]}");
        Assert.True(input[25 * 28 + 14] < 0.2f, $"bottom centre {input[25 * 28 + 14]}");
        Assert.Equal(0f, input[14 * 28 + 2]);
        var upright = await Send(jpeg, "image/jpeg");
        Assert.Equal(0f, upright[2 * 28 + 14]);
    }

    [Fact]
    public async Task AnExceptionInARequestIsA500ProblemThatIsLoggedAndTheServiceCarriesOn()
    {
        var log = new ListLoggerProvider();
        var app = FashionService.Build(new[] { "--urls", "http://127.0.0.1:0" }, _service.Net,
            builder => { builder.Logging.ClearProviders(); builder.Logging.AddProvider(log); });
        app.MapGet("/boom", (Func<string>)(() => throw new InvalidOperationException("boom")));
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            using var response = await http.GetAsync("/boom");
            var (status, title, detail) = await TestService.Problem(response);
            Assert.Equal(500, status);
            Assert.Equal("Internal error", title);
            Assert.StartsWith("Internal error (InvalidOperationException); it has been logged with trace id ", detail);
            Assert.DoesNotContain("boom", detail);   // the exception's message stays in the log
            var logged = Assert.Single(log.Entries, e => e.Exception is InvalidOperationException);
            Assert.Equal(LogLevel.Error, logged.Level);
            Assert.Equal("UnexpectedException", logged.Event.Name);
            Assert.Contains("GET /boom", logged.Message);
            Assert.Contains(detail[(detail.LastIndexOf(' ') + 1)..].TrimEnd('.'), logged.Message);   // the same trace id
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
            var stats = await http.GetFromJsonAsync("/stats", ServeJson.Default.StatsResponse);
            Assert.Equal(1, stats!.Errors);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheStatsSummaryCountsRequestsAndPredictions()
    {
        await Post(JsonContent.Create(RandomImage(1), ServeJson.Default.SingleArray));
        var stats = await _service.Http.GetFromJsonAsync("/stats", ServeJson.Default.StatsResponse);
        Assert.True(stats!.Requests >= 1);
        Assert.True(stats.Predictions >= 1);
        Assert.True(stats.P99Milliseconds >= stats.P50Milliseconds);
        Assert.Equal(0, stats.ModelAllocatedBytesPerPrediction);
    }

    [Fact]
    public async Task TheBoundedLoadTestRunsWithoutErrorsAndTheModelAllocatesNothing()
    {
        var result = await LoadTest.Run(_service.Address, clients: 4, requests: 400, TimeSpan.FromSeconds(30), LoadTest.Bodies("/nonexistent", 16), warmup: 20);
        Assert.Equal(0, result.Errors);
        Assert.Equal(400, result.Requests);
        Assert.True(result.RequestsPerSecond > 0);
        Assert.True(result.P99Milliseconds >= result.P50Milliseconds && result.P50Milliseconds > 0);
        Assert.NotNull(result.Server);
        Assert.Equal(0, result.Server!.ModelAllocatedBytesPerPrediction);
        Assert.Equal(0, result.ModelAllocatedBytesPerRequest);
        // In this test the clients share the process, so this is client and server together; the model's share is 0.
        Assert.True(result.AllocatedBytesPerRequest > 1000, $"{result.AllocatedBytesPerRequest} bytes per request");
        Assert.True(result.ModelMicrosecondsPerPrediction > 0);
        Assert.Contains("of which the model 0 bytes (0.0%)", LoadTest.Describe(result));
    }

    [Fact]
    public async Task TheLoadTestStopsAtItsTimeLimit()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await LoadTest.Run(_service.Address, clients: 2, requests: 10_000_000, TimeSpan.FromSeconds(1), LoadTest.Bodies("/nonexistent", 4));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{watch.Elapsed}");
        Assert.InRange(result.Requests, 1, 9_999_999);
        Assert.Equal(0, result.Errors);
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task TheLoadTestCommandStartsTheServiceInAProcessOfItsOwnAndStopsIt()
    {
        string directory = Path.Combine(Path.GetTempPath(), "serve-load-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string checkpoint = Path.Combine(directory, "net.ckpt");
            Checkpoint.Save(new FashionNet(2), checkpoint);
            int port = FreePort();
            int exit = await LoadTest.RunCommand(new[] { "--serve", checkpoint, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--clients", "2", "--requests", "100", "--warmup", "5", "--seconds", "30", "--data", "/nonexistent" });
            Assert.Equal(0, exit);
            // The service was stopped: nothing listens on the port any more.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/health"));

            // A service that cannot start (no such checkpoint) is reported, not waited for.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(1, await LoadTest.RunCommand(new[] { "--serve", Path.Combine(directory, "missing.ckpt"), "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", "/nonexistent" }));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(25), $"{watch.Elapsed}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--clients", "many", "--url", "http://127.0.0.1:1" }, "--clients expects a whole number, not 'many'.")]
    [InlineData(new[] { "--clients", "4" }, "Give either --url of a running service or --serve CHECKPOINT")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--requests", "0" }, "--requests must be at least 1, not 0.")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--seconds", "1,5" }, "--seconds expects a number such as 0.5 (with a decimal point), not '1,5'.")]
    [InlineData(new[] { "--url", "http://127.0.0.1:1", "--fast" }, "'--fast'")]
    public async Task TheLoadTestCommandRefusesBadOptions(string[] args, string message)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => LoadTest.RunCommand(args));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task TheLoadTestRefusesAnotherMachine()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => LoadTest.Run(new Uri("http://example.com/"), 1, 1, TimeSpan.FromSeconds(1), LoadTest.Bodies("/nonexistent", 1)));
    }
}
