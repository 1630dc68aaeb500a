using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Serve;

/// <summary>What POST /predict answers.</summary>
/// <param name="Class">The predicted class (0–9).</param>
/// <param name="Name">Its name, e.g. "Ankle boot".</param>
/// <param name="Probabilities">All ten softmax outputs.</param>
/// <param name="Input">The 784 values the model received (28×28, row by row, 0 = black … 1 = white).</param>
public sealed record PredictResponse(int Class, string Name, float[] Probabilities, float[] Input);

/// <summary>A refused request.</summary>
public sealed record ErrorResponse(string Error);

/// <summary>GET /health.</summary>
public sealed record HealthResponse(string Status, string Model, long Parameters);

/// <summary>GET /metrics.</summary>
public sealed record MetricsResponse(
    long Requests, long Predictions, long Errors, double P50Milliseconds, double P90Milliseconds, double P99Milliseconds,
    long LatencySamples, double AllocatedBytesPerRequest, double ModelAllocatedBytesPerPrediction);

[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(MetricsResponse))]
[JsonSerializable(typeof(float[]))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class ServeJson : JsonSerializerContext { }

/// <summary>Request count, errors, latency percentiles over the last 8,192 requests, allocation per request.</summary>
public sealed class ServiceMetrics
{
    private readonly double[] _latencies = new double[8192];
    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: false);
    private long _requests, _errors, _predictions, _modelBytes, _count;

    public void Record(double milliseconds, bool error)
    {
        Interlocked.Increment(ref _requests);
        if (error) Interlocked.Increment(ref _errors);
        long slot = Interlocked.Increment(ref _count) - 1;
        _latencies[slot % _latencies.Length] = milliseconds;
    }

    public void Prediction(long modelBytes)
    {
        Interlocked.Increment(ref _predictions);
        Interlocked.Add(ref _modelBytes, modelBytes);
    }

    public MetricsResponse Snapshot()
    {
        long count = Math.Min(Interlocked.Read(ref _count), _latencies.Length);
        var sorted = _latencies.Take((int)count).ToArray();
        Array.Sort(sorted);
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        long requests = Interlocked.Read(ref _requests), predictions = Interlocked.Read(ref _predictions);
        double allocated = GC.GetTotalAllocatedBytes(precise: false) - _allocatedAtStart;
        return new MetricsResponse(requests, predictions, Interlocked.Read(ref _errors), P(0.50), P(0.90), P(0.99), count,
            requests == 0 ? 0 : allocated / requests, predictions == 0 ? 0 : (double)Interlocked.Read(ref _modelBytes) / predictions);
    }
}

/// <summary>The web service around one trained <see cref="FashionNet"/> (Predict is thread-safe and allocation-free).</summary>
public static class FashionService
{
    /// <summary>Largest request body accepted: 1 MiB (a 28×28 JSON array is about 10 KB; photos should be resized first).</summary>
    public const long MaxBodyBytes = 1 << 20;

    /// <summary>Largest image accepted, in pixels per side.</summary>
    public const int MaxImageSide = 4096;

    public static WebApplication Build(FashionNet net, string url, ServiceMetrics? metrics = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(options => options.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ServeJson.Default));
        var app = builder.Build();
        metrics ??= new ServiceMetrics();

        app.Use(async (context, next) =>
        {
            long start = Stopwatch.GetTimestamp();
            try { await next(context); }
            finally
            {
                if (context.Request.Path != "/metrics")
                    metrics.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, context.Response.StatusCode >= 400);
            }
        });
        app.MapGet("/", () => Results.Content(Page.Html, "text/html; charset=utf-8"));
        app.MapGet("/health", () => new HealthResponse("ok", FashionNet.Architecture, FashionNet.ParameterCount));
        app.MapGet("/metrics", () => metrics.Snapshot());
        app.MapPost("/predict", (HttpContext context) => Predict(context, net, metrics));
        return app;
    }

    private static async Task Predict(HttpContext context, FashionNet net, ServiceMetrics metrics)
    {
        byte[] body;
        try
        {
            body = await ReadBody(context.Request);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Refuse(context, StatusCodes.Status413PayloadTooLarge, $"The request body is over the limit of {MaxBodyBytes} bytes.");
            return;
        }
        string type = context.Request.ContentType ?? "";
        string? error;
        float[] input = new float[FashionNet.InputSize];
        if (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            error = ParseJson(body, input);
        else if (type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var form = await context.Request.ReadFormAsync();
            var file = form.Files.Count > 0 ? form.Files[0] : null;
            if (file is null) error = "The form has no file: send the image as a file field (e.g. \"image\").";
            else
            {
                using var stream = new MemoryStream();
                await file.CopyToAsync(stream);
                error = DecodeImage(stream.ToArray(), input);
            }
        }
        else if (type.StartsWith("image/", StringComparison.OrdinalIgnoreCase) || type == "application/octet-stream")
            error = DecodeImage(body, input);
        else
            error = $"Unsupported Content-Type '{type}': send a JSON array of {FashionNet.InputSize} numbers (application/json) or a PNG/JPEG image (image/png, image/jpeg or a multipart form).";
        if (error is not null)
        {
            await Refuse(context, StatusCodes.Status400BadRequest, error);
            return;
        }

        var probabilities = new float[FashionNet.OutputSize];
        long before = GC.GetAllocatedBytesForCurrentThread();
        net.Predict(input, probabilities);
        metrics.Prediction(GC.GetAllocatedBytesForCurrentThread() - before);
        int best = 0;
        for (int k = 1; k < probabilities.Length; k++) if (probabilities[k] > probabilities[best]) best = k;
        await context.Response.WriteAsJsonAsync(new PredictResponse(best, FashionMnist.ClassNames[best], probabilities, input), ServeJson.Default.PredictResponse);
    }

    private static async Task<byte[]> ReadBody(HttpRequest request)
    {
        if (request.HasFormContentType) return Array.Empty<byte>();   // read by ReadFormAsync
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message), ServeJson.Default.ErrorResponse);
    }

    /// <summary>Reads a JSON array of exactly 784 finite numbers into <paramref name="input"/>; returns what is wrong, or null.</summary>
    public static string? ParseJson(ReadOnlySpan<byte> json, float[] input)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                return $"The body must be a JSON array of {input.Length} numbers (0 = black ... 1 = white, 28x28 row by row).";
            int count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number)
                    return $"Element {count} is not a number ({reader.TokenType}).";
                if (!reader.TryGetSingle(out float value) || !float.IsFinite(value))
                    return $"Element {count} is not a finite 32-bit number.";
                if (count < input.Length) input[count] = value;
                count++;
            }
            if (reader.TokenType != JsonTokenType.EndArray) return "The JSON array is not closed.";
            if (reader.Read()) return "Unexpected data after the JSON array.";
            if (count != input.Length) return $"Expected {input.Length} numbers (28x28), got {count}.";
            return null;
        }
        catch (JsonException ex)
        {
            return $"The body is not valid JSON: {ex.Message}";
        }
    }

    /// <summary>
    /// Decodes a PNG or JPEG, scales it to 28×28 grey (0 = black … 1 = white, as Fashion-MNIST after /255) and writes
    /// it into <paramref name="input"/>. Fashion-MNIST items are light on a black background; an image whose border
    /// is mostly light (a photo on white) is inverted. Returns what is wrong, or null.
    /// </summary>
    public static string? DecodeImage(byte[] bytes, float[] input)
    {
        if (bytes.Length == 0) return "The body is empty: send a PNG or JPEG image.";
        using var codec = SKCodec.Create(new MemoryStream(bytes));
        if (codec is null) return "The body is not a PNG or JPEG image.";
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg))
            return $"The image is {codec.EncodedFormat}; send a PNG or JPEG.";
        var info = codec.Info;
        if (info.Width > MaxImageSide || info.Height > MaxImageSide)
            return $"The image is {info.Width}x{info.Height} pixels, over the limit of {MaxImageSide}x{MaxImageSide}.";
        using var decoded = SKBitmap.Decode(codec, new SKImageInfo(info.Width, info.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        if (decoded is null) return "The image could not be decoded.";
        using var small = info.Width == 28 && info.Height == 28
            ? decoded.Copy()
            : decoded.Resize(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque), new SKSamplingOptions(SKCubicResampler.Mitchell));
        if (small is null) return "The image could not be scaled to 28x28.";
        var pixels = small.GetPixelSpan();
        int stride = small.RowBytes;
        double border = 0;
        for (int i = 0; i < 28; i++)
            border += pixels[i] + pixels[27 * stride + i] + pixels[i * stride] + pixels[i * stride + 27];
        bool invert = border / (4 * 28) > 127.5;
        for (int r = 0; r < 28; r++)
            for (int c = 0; c < 28; c++)
            {
                byte v = pixels[r * stride + c];
                input[r * 28 + c] = (invert ? 255 - v : v) / 255f;
            }
        return null;
    }
}
