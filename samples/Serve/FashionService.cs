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
/// <param name="Requests">Requests answered (all paths but /metrics), since start-up.</param>
/// <param name="Predictions">Successful predictions.</param>
/// <param name="Errors">Answers with a status of 400 or more (refusals included).</param>
/// <param name="P50Milliseconds">Median time in the server over the last <paramref name="LatencySamples"/> requests.</param>
/// <param name="AllocatedBytes">Bytes the whole process allocated since start-up (all threads).</param>
/// <param name="AllocatedBytesPerRequest"><paramref name="AllocatedBytes"/> / <paramref name="Requests"/>.</param>
/// <param name="ModelAllocatedBytes">Bytes allocated inside <c>Predict</c>, summed over all predictions.</param>
/// <param name="ModelMicrosecondsPerPrediction">Mean time inside <c>Predict</c>.</param>
public sealed record MetricsResponse(
    long Requests, long Predictions, long Errors, double P50Milliseconds, double P90Milliseconds, double P99Milliseconds,
    long LatencySamples, long AllocatedBytes, double AllocatedBytesPerRequest, long ModelAllocatedBytes,
    double ModelAllocatedBytesPerPrediction, double ModelMicrosecondsPerPrediction);

[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(MetricsResponse))]
[JsonSerializable(typeof(float[]))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class ServeJson : JsonSerializerContext
{
    /// <summary>What the service writes with: camelCase, and quotes in error messages left readable (not \u0022).</summary>
    public static ServeJson Web { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>Request count, errors, latency percentiles over the last 8,192 requests, allocation per request.</summary>
public sealed class ServiceMetrics
{
    private readonly double[] _latencies = new double[8192];
    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
    private long _requests, _errors, _predictions, _modelBytes, _modelTicks, _count;

    public void Record(double milliseconds, bool error)
    {
        Interlocked.Increment(ref _requests);
        if (error) Interlocked.Increment(ref _errors);
        long slot = Interlocked.Increment(ref _count) - 1;
        _latencies[slot % _latencies.Length] = milliseconds;
    }

    public void Prediction(long modelBytes, long modelTicks)
    {
        Interlocked.Increment(ref _predictions);
        Interlocked.Add(ref _modelBytes, modelBytes);
        Interlocked.Add(ref _modelTicks, modelTicks);
    }

    public MetricsResponse Snapshot()
    {
        long count = Math.Min(Interlocked.Read(ref _count), _latencies.Length);
        var sorted = _latencies.Take((int)count).ToArray();
        Array.Sort(sorted);
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        long requests = Interlocked.Read(ref _requests), predictions = Interlocked.Read(ref _predictions);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedAtStart, modelBytes = Interlocked.Read(ref _modelBytes);
        double modelMicroseconds = Interlocked.Read(ref _modelTicks) * 1e6 / Stopwatch.Frequency;
        return new MetricsResponse(requests, predictions, Interlocked.Read(ref _errors), P(0.50), P(0.90), P(0.99), count,
            allocated, requests == 0 ? 0 : (double)allocated / requests, modelBytes,
            predictions == 0 ? 0 : (double)modelBytes / predictions, predictions == 0 ? 0 : modelMicroseconds / predictions);
    }
}

/// <summary>The web service around one trained <see cref="FashionNet"/> (Predict is thread-safe and allocation-free).</summary>
public static class FashionService
{
    /// <summary>Largest request body accepted: 1 MiB (a 28×28 JSON array is about 10 KB; photos should be resized first).</summary>
    public const long MaxBodyBytes = 1 << 20;

    /// <summary>Largest image accepted, in pixels per side.</summary>
    public const int MaxImageSide = 4096;

    /// <summary>Pixel bytes to model input, exactly as the training data is scaled (<c>IdxFile.ToSingle(1f / 255)</c>).</summary>
    public const float PixelScale = 1f / 255;

    public static WebApplication Build(FashionNet net, string url, ServiceMetrics? metrics = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Limits.MaxRequestBodySize = MaxBodyBytes;
            // A JSON body is parsed once it is all buffered in Kestrel's pipe; the pipe must be able to hold it.
            options.Limits.MaxRequestBufferSize = 2 * MaxBodyBytes;
        });
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ServeJson.Web));
        var app = builder.Build();
        metrics ??= new ServiceMetrics();

        app.Use(async (context, next) =>
        {
            long start = Stopwatch.GetTimestamp();
            bool failed = false;
            try { await next(context); }
            catch (Exception ex) when (!context.Response.HasStarted)
            {
                // Whatever a request does, the process carries on; the client learns it was the server's fault.
                failed = true;
                context.Response.Clear();
                await Refuse(context, StatusCodes.Status500InternalServerError, $"Internal error: {ex.GetType().Name}.");
            }
            catch
            {
                failed = true;
                throw;
            }
            finally
            {
                if (context.Request.Path != "/metrics")
                    metrics.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, failed || context.Response.StatusCode >= 400);
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
        string type = context.Request.ContentType ?? "";
        string? error;
        float[] input = new float[FashionNet.InputSize];
        try
        {
            if (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                error = await ParseJsonBody(context.Request, input);
            else if (type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
                error = await ReadForm(context.Request, input);
            else if (type.StartsWith("image/", StringComparison.OrdinalIgnoreCase) || type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
                error = DecodeImage(await ReadBody(context.Request), input);
            else
                error = $"Unsupported Content-Type '{type}': send a JSON array of {FashionNet.InputSize} numbers (application/json) or a PNG/JPEG image (image/png, image/jpeg or a multipart form).";
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals while reading the body: over the size limit, a broken chunked encoding, a timeout.
            await Refuse(context, ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"The request body is over the limit of {MaxBodyBytes} bytes."
                : $"The request body could not be read: {ex.Message}");
            return;
        }
        if (error is not null)
        {
            await Refuse(context, StatusCodes.Status400BadRequest, error);
            return;
        }

        var probabilities = new float[FashionNet.OutputSize];
        long bytesBefore = GC.GetAllocatedBytesForCurrentThread(), ticksBefore = Stopwatch.GetTimestamp();
        net.Predict(input, probabilities);
        long ticks = Stopwatch.GetTimestamp() - ticksBefore;
        metrics.Prediction(GC.GetAllocatedBytesForCurrentThread() - bytesBefore, ticks);
        int best = 0;
        for (int k = 1; k < probabilities.Length; k++) if (probabilities[k] > probabilities[best]) best = k;
        await context.Response.WriteAsJsonAsync(new PredictResponse(best, FashionMnist.ClassNames[best], probabilities, input), ServeJson.Web.PredictResponse);
    }

    /// <summary>
    /// Parses the JSON body where Kestrel buffered it (the request's pipe), without copying it into an array first:
    /// that copy was most of what a JSON prediction allocated in this service's own code.
    /// </summary>
    private static async Task<string?> ParseJsonBody(HttpRequest request, float[] input)
    {
        var pipe = request.BodyReader;
        var read = await pipe.ReadAsync();
        while (!read.IsCompleted)
        {
            pipe.AdvanceTo(read.Buffer.Start, read.Buffer.End);   // consume nothing yet: wait for the whole body
            read = await pipe.ReadAsync();
        }
        try { return ParseJson(read.Buffer, input); }
        finally { pipe.AdvanceTo(read.Buffer.End); }
    }

    private static async Task<byte[]> ReadBody(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>A multipart form with one file: the image.</summary>
    private static async Task<string?> ReadForm(HttpRequest request, float[] input)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync();
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IOException && ex is not BadHttpRequestException)
        {
            return $"The multipart form could not be read: {ex.Message}";
        }
        if (form.Files.Count == 0) return "The form has no file: send the image as a file field (e.g. \"image\").";
        if (form.Files.Count > 1) return $"The form has {form.Files.Count} files; send one image.";
        using var stream = new MemoryStream();
        await form.Files[0].CopyToAsync(stream);
        return DecodeImage(stream.ToArray(), input);
    }

    private static Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message), ServeJson.Web.ErrorResponse);
    }

    /// <summary>Reads a JSON array of exactly 784 finite numbers into <paramref name="input"/>; returns what is wrong, or null.</summary>
    public static string? ParseJson(ReadOnlySequence<byte> json, float[] input)
    {
        if (json.IsEmpty) return $"The body is empty: send a JSON array of {input.Length} numbers.";
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                return $"The body must be a JSON array of {input.Length} numbers (0 = black ... 1 = white, 28x28 row by row), not {reader.TokenType}.";
            int count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number)
                    return $"Element {count} is not a number ({reader.TokenType}).";
                if (!reader.TryGetSingle(out float value) || !float.IsFinite(value))
                    return $"Element {count} is not a finite 32-bit number ({Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan)}).";
                if (count < input.Length) input[count] = value;
                count++;
            }
            if (reader.TokenType != JsonTokenType.EndArray) return "The JSON array is not closed.";
            if (reader.Read()) return "Unexpected data after the JSON array.";   // trailing data throws a JsonException here
            if (count != input.Length) return $"Expected {input.Length} numbers (28x28), got {count}.";
            return null;
        }
        catch (JsonException ex)
        {
            return $"The body is not valid JSON: {ex.Message}";
        }
    }

    /// <summary>
    /// Decodes a PNG or JPEG (SkiaSharp) into the model's 28×28 input, as Fashion-MNIST was made from product photos:
    /// transparency composited over white, an EXIF orientation applied, grey by luma, the longer side scaled to 28
    /// (linear filtering over mipmaps, so a large image is averaged rather than point-sampled) and the shorter one
    /// centred on the background; an image whose border is mostly light (an item on white) is inverted, since
    /// Fashion-MNIST items are light on black; then bytes × 1/255 like the training data. A 28×28 image is taken pixel
    /// for pixel. Returns what is wrong, or null.
    /// </summary>
    public static string? DecodeImage(byte[] bytes, float[] input)
    {
        if (bytes.Length == 0) return "The body is empty: send a PNG or JPEG image.";
        using var codec = SKCodec.Create(new MemoryStream(bytes));
        if (codec is null) return "The body is not a PNG or JPEG image.";
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg))
            return $"The image is {codec.EncodedFormat}; send a PNG or JPEG.";
        int w = codec.Info.Width, h = codec.Info.Height;
        if (w > MaxImageSide || h > MaxImageSide)
            return $"The image is {w}x{h} pixels, over the limit of {MaxImageSide}x{MaxImageSide}.";
        if (w < 1 || h < 1) return $"The image is {w}x{h} pixels.";

        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var rgba = new SKBitmap(info);
        var result = codec.GetPixels(info, rgba.GetPixels());
        if (result != SKCodecResult.Success)
            return $"The {codec.EncodedFormat} image could not be decoded ({result}): is it truncated or damaged?";

        // Grey by luma (ITU-R BT.601), composited over white, in the orientation the EXIF tag asks for.
        bool swap = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int W = swap ? h : w, H = swap ? w : h;
        using var grey = new SKBitmap(new SKImageInfo(W, H, SKColorType.Gray8, SKAlphaType.Opaque));
        {
            ReadOnlySpan<byte> src = rgba.GetPixelSpan();
            Span<byte> dst = grey.GetPixelSpan();
            int srcStride = rgba.RowBytes, dstStride = grey.RowBytes;
            var origin = codec.EncodedOrigin;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    (int sx, int sy) = origin switch
                    {
                        SKEncodedOrigin.TopRight => (w - 1 - x, y),
                        SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                        SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                        SKEncodedOrigin.LeftTop => (y, x),
                        SKEncodedOrigin.RightTop => (y, h - 1 - x),
                        SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),
                        SKEncodedOrigin.LeftBottom => (w - 1 - y, x),
                        _ => (x, y),
                    };
                    int o = sy * srcStride + 4 * sx;
                    float luma = 0.299f * src[o] + 0.587f * src[o + 1] + 0.114f * src[o + 2], alpha = src[o + 3] / 255f;
                    dst[y * dstStride + x] = (byte)Math.Clamp(MathF.Round(alpha * luma + (1 - alpha) * 255), 0, 255);
                }
        }

        // The border's mean decides whether the background is light (invert) or dark.
        ReadOnlySpan<byte> g = grey.GetPixelSpan();
        int stride = grey.RowBytes;
        double border = 0;
        for (int x = 0; x < W; x++) border += g[x] + g[(H - 1) * stride + x];
        for (int y = 0; y < H; y++) border += g[y * stride] + g[y * stride + W - 1];
        bool invert = border / (2 * (W + H)) > 127.5;

        // The longer side to 28 pixels, the shorter one centred.
        int sw = W >= H ? 28 : Math.Max(1, (int)Math.Round(28.0 * W / H)), sh = H >= W ? 28 : Math.Max(1, (int)Math.Round(28.0 * H / W));
        using var small = W == sw && H == sh
            ? grey.Copy()
            : grey.Resize(new SKImageInfo(sw, sh, SKColorType.Gray8, SKAlphaType.Opaque), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        if (small is null) return $"The image could not be scaled from {W}x{H} to {sw}x{sh}.";
        Array.Clear(input);   // the background: 0 = black, after the inversion
        ReadOnlySpan<byte> s = small.GetPixelSpan();
        int left = (28 - sw) / 2, top = (28 - sh) / 2;
        for (int y = 0; y < sh; y++)
            for (int x = 0; x < sw; x++)
            {
                byte v = s[y * small.RowBytes + x];
                input[(top + y) * 28 + left + x] = (invert ? 255 - v : v) * PixelScale;
            }
        return null;
    }
}
