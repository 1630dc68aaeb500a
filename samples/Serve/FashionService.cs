using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using CompiledNet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using OpenTelemetry.Metrics;
using SkiaSharp;

namespace Serve;

/// <summary>What POST /predict answers.</summary>
/// <param name="Class">The predicted class (0–9).</param>
/// <param name="Name">Its name, e.g. "Ankle boot".</param>
/// <param name="Probabilities">All ten softmax outputs.</param>
/// <param name="Input">The 784 values the model received (28×28, row by row, 0 = black … 1 = white).</param>
public sealed record PredictResponse(int Class, string Name, float[] Probabilities, float[] Input);

/// <summary>GET /stats: a JSON summary for the load test and for a person (the Prometheus metrics are at /metrics).</summary>
/// <param name="Requests">Requests answered (all paths but /metrics and /stats), since start-up.</param>
/// <param name="Predictions">Successful predictions.</param>
/// <param name="Errors">Answers with a status of 400 or more (refusals included).</param>
/// <param name="P50Milliseconds">Median time in the server over the last <paramref name="LatencySamples"/> requests.</param>
/// <param name="AllocatedBytes">Bytes the whole process allocated since start-up (all threads).</param>
/// <param name="AllocatedBytesPerRequest"><paramref name="AllocatedBytes"/> / <paramref name="Requests"/>.</param>
/// <param name="ModelAllocatedBytes">Bytes allocated inside <c>Predict</c>, summed over all predictions.</param>
/// <param name="ModelMicrosecondsPerPrediction">Mean time inside <c>Predict</c>.</param>
public sealed record StatsResponse(
    long Requests, long Predictions, long Errors, double P50Milliseconds, double P90Milliseconds, double P99Milliseconds,
    long LatencySamples, long AllocatedBytes, double AllocatedBytesPerRequest, long ModelAllocatedBytes,
    double ModelAllocatedBytesPerPrediction, double ModelMicrosecondsPerPrediction);

/// <summary>GET /model: which network the service serves.</summary>
/// <param name="Network">Its declaration: "FashionNet" (dense) or "FashionCnn" (convolutional).</param>
/// <param name="Architecture">The declaration in words, e.g. "784 → 256 ReLU → 128 ReLU → 10 Softmax; …".</param>
/// <param name="Fingerprint">The declaration's fingerprint (16 hexadecimal digits), as its checkpoints record it.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Generation">1 for the first network served, +1 for every reload.</param>
public sealed record ModelResponse(string Network, string Architecture, string Fingerprint, int Parameters, long Generation);

[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(ModelResponse))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(float[]))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class ServeJson : JsonSerializerContext
{
    /// <summary>What the service writes with: camelCase, and quotes in messages left readable (not \u0022).</summary>
    public static ServeJson Web { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>Request count, errors, latency percentiles over the last 8,192 requests, allocation per request (GET /stats).</summary>
public sealed class ServiceStats
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

    public StatsResponse Snapshot()
    {
        long count = Math.Min(Interlocked.Read(ref _count), _latencies.Length);
        var sorted = _latencies.Take((int)count).ToArray();
        Array.Sort(sorted);
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        long requests = Interlocked.Read(ref _requests), predictions = Interlocked.Read(ref _predictions);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedAtStart, modelBytes = Interlocked.Read(ref _modelBytes);
        double modelMicroseconds = Interlocked.Read(ref _modelTicks) * 1e6 / Stopwatch.Frequency;
        return new StatsResponse(requests, predictions, Interlocked.Read(ref _errors), P(0.50), P(0.90), P(0.99), count,
            allocated, requests == 0 ? 0 : (double)allocated / requests, modelBytes,
            predictions == 0 ? 0 : (double)modelBytes / predictions, predictions == 0 ? 0 : modelMicroseconds / predictions);
    }
}

/// <summary>A refused request: its HTTP status and what is wrong (the problem details' <c>detail</c>).</summary>
public readonly record struct Refusal(int Status, string Detail);

/// <summary>
/// The web service around one trained network, <see cref="FashionNet"/> or <see cref="FashionCnn"/> (Predict is
/// thread-safe and allocation-free; <see cref="ServedNetwork"/>), on ASP.NET
/// Core's conventions: options validated at start-up, problem details for every refusal, health checks, Prometheus
/// metrics, OpenAPI, and a bounded decoder for images.
/// </summary>
public static class FashionService
{
    /// <summary>The request body limit when no options are at hand (the command-line classifier).</summary>
    public const long DefaultMaxBodyBytes = 1 << 20;

    /// <summary>The decoding budget when no options are at hand (the command-line classifier): 2048×2048.</summary>
    public const long DefaultMaxImagePixels = 2048L * 2048;

    /// <summary>Pixel bytes to model input, exactly as the training data is scaled (<c>IdxFile.ToSingle(1f / 255)</c>).</summary>
    public const float PixelScale = 1f / 255;

    /// <summary>Where the service listens when neither --url, --urls nor ASPNETCORE_URLS says: this machine only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <summary>The short command-line options, as configuration keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--checkpoint"] = "Serve:Checkpoint",
        ["--data"] = "Serve:Data",
        ["--url"] = "urls",
    };

    private static readonly string[] HostKeys = { "urls", "environment", "contentRoot", "applicationName" };

    /// <summary>
    /// Builds the service from command-line arguments (plus appsettings.json and environment variables). With
    /// <paramref name="net"/> (one of <see cref="ServedNetwork.Known"/>) it serves that network; otherwise the one in
    /// Serve:Checkpoint, loaded at start. Throws <see cref="ArgumentException"/> for an unknown option or another network.
    /// </summary>
    public static WebApplication Build(string[] args, ICompiledNetwork? net = null, Action<WebApplicationBuilder>? configure = null)
    {
        foreach (var arg in args)
        {
            if (!arg.StartsWith("--", StringComparison.Ordinal)) continue;
            string key = arg.Split('=', 2)[0];
            if (!SwitchMappings.ContainsKey(key) && !key.Contains(':') && !HostKeys.Contains(key[2..], StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"Unknown option '{key}'. Options: --checkpoint FILE, --url URL, --data DIR, or any setting as --Serve:Name=value (see docs/serving.md).");
        }
        // appsettings.json is read from beside the program, wherever it is started from.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, SwitchMappings.ToDictionary(p => p.Key, p => p.Value));
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrl);

        var services = builder.Services;
        services.AddOptions<ServeOptions>().Bind(builder.Configuration.GetSection("Serve"), o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServeOptions>, ServeOptionsValidator>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServeOptions>>((kestrel, serve) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = serve.Value.MaxBodyBytes;
            // A JSON body is parsed once it is all buffered in Kestrel's pipe; the pipe must be able to hold it.
            kestrel.Limits.MaxRequestBufferSize = 2 * serve.Value.MaxBodyBytes;
        });
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ServeJson.Web));
        services.AddProblemDetails();
        services.AddExceptionHandler<LoggingExceptionHandler>();
        services.AddSingleton<ServeMetrics>();
        services.AddSingleton<ServiceStats>();
        services.AddSingleton<ModelStore>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelStore>());
        services.AddSingleton<Predictor>();
        services.AddHealthChecks().AddCheck<ModelHealthCheck>("model", tags: new[] { "ready" });
        services.AddOpenApi();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ServeMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        var app = builder.Build();
        if (net is not null) app.Services.GetRequiredService<ModelStore>().Use(net);
        var stats = app.Services.GetRequiredService<ServiceStats>();

        app.UseExceptionHandler();
        app.UseStatusCodePages();   // 404, 405 and the like get problem details too
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            long start = Stopwatch.GetTimestamp();
            bool failed = true;
            try
            {
                await next(context);
                failed = context.Response.StatusCode >= 400;
            }
            finally
            {
                string path = context.Request.Path.Value ?? "";
                if (path is not ("/metrics" or "/stats")) stats.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, failed);
            }
        });

        app.MapGet("/", (HttpContext context) =>
        {
            context.Response.Headers.ContentSecurityPolicy = Page.ContentSecurityPolicy;
            return Results.Content(Page.Html, "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });   // the process answers
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapHealthChecks("/health");   // every check: ready
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/stats", () => stats.Snapshot()).ExcludeFromDescription();
        var store = app.Services.GetRequiredService<ModelStore>();
        app.MapGet("/model", () => store.Served is { } served
            ? Results.Json(new ModelResponse(served.Kind.Name, served.Kind.Architecture, served.Kind.Fingerprint.ToString("X16", CultureInfo.InvariantCulture),
                served.Network.ParameterCount, served.Generation), ServeJson.Web.ModelResponse)
            : Results.Problem(detail: "No model is loaded yet.", statusCode: StatusCodes.Status503ServiceUnavailable)).ExcludeFromDescription();
        app.MapOpenApi();   // /openapi/v1.json
        var predictor = app.Services.GetRequiredService<Predictor>();
        app.MapPost("/predict", (Func<HttpContext, Task<IResult>>)predictor.Predict)
            .WithSummary("Classify a 28×28 image")
            .WithDescription("A JSON array of 784 numbers in [0, 1] (28×28 row by row, 0 = black, 1 = white, as the training data: pixel bytes / 255), "
                + "or a PNG/JPEG image as the body (image/png, image/jpeg, application/octet-stream) or as the one file of a multipart form. "
                + "An image is scaled to 28×28 grey, longer side to 28, centred; a light background is inverted.")
            // The request body in the OpenAPI document. Not as Accepts metadata: routing would then refuse other media
            // types itself, with a 415 that does not say what to send.
            .AddOpenApiOperationTransformer((operation, context, cancellationToken) =>
            {
                operation.RequestBody = PredictRequestBody();
                return Task.CompletedTask;
            })
            .Produces<PredictResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static OpenApiRequestBody PredictRequestBody()
    {
        var image = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
        return new OpenApiRequestBody
        {
            Required = true,
            Description = "784 numbers in [0, 1], or a PNG/JPEG image (at most Serve:MaxImagePixels pixels as decoded).",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Array,
                        Items = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "float", Minimum = "0", Maximum = "1" },
                        MinItems = ServedNetwork.InputSize,
                        MaxItems = ServedNetwork.InputSize,
                    },
                },
                ["image/png"] = image,
                ["image/jpeg"] = image,
                ["application/octet-stream"] = image,
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema> { ["image"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                    },
                },
            },
        };
    }

    /// <summary>Reads a JSON array of exactly 784 numbers in [0, 1] into <paramref name="input"/>; returns what is wrong, or null.</summary>
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
                    return $"Element {count} is not a finite 32-bit number ({Raw(ref reader)}).";
                // The network learnt from pixel bytes / 255: values outside [0, 1] are not images of that kind (0-255
                // bytes sent unscaled are the usual mistake), and large ones overflow it.
                if (value is < 0f or > 1f)
                    return $"Element {count} is {Raw(ref reader)}, outside 0 to 1: pixels are bytes / 255 (0 = black, 1 = white), as the network was trained; divide 0-255 values by 255.";
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

    private static string Raw(ref Utf8JsonReader reader) =>
        Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);

    /// <summary>
    /// Reads an image's header (nothing is decoded) and checks it against the decoding budget: a PNG or JPEG, at most
    /// <paramref name="maxPixels"/> pixels as it will be decoded. A JPEG is decoded at the smallest scale its codec
    /// offers (1/8, 1/4, 1/2) that keeps the longer side at least 112 pixels (4 source pixels per model pixel), so only
    /// that size counts. Returns the opened image, or the refusal.
    /// </summary>
    public static (ImageHeader? Image, Refusal? Refusal) OpenImage(byte[] bytes, long maxPixels)
    {
        if (bytes.Length == 0) return (null, new(400, "The body is empty: send a PNG or JPEG image."));
        var codec = SKCodec.Create(new MemoryStream(bytes));
        if (codec is null) return (null, new(400, "The body is not a PNG or JPEG image."));
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg))
        {
            var format = codec.EncodedFormat;
            codec.Dispose();
            return (null, new(400, $"The image is {format}; send a PNG or JPEG."));
        }
        int w = codec.Info.Width, h = codec.Info.Height;
        if (w < 1 || h < 1) { codec.Dispose(); return (null, new(400, $"The image is {w}x{h} pixels.")); }
        var decoded = new SKSizeI(w, h);
        int longer = Math.Max(w, h);
        if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg && longer > 112)
        {
            var scaled = codec.GetScaledDimensions(112f / longer);
            if (scaled.Width >= 1 && scaled.Height >= 1 && (long)scaled.Width * scaled.Height < (long)w * h) decoded = scaled;
        }
        long pixels = (long)decoded.Width * decoded.Height;
        if (pixels > maxPixels)
        {
            var format = codec.EncodedFormat;
            codec.Dispose();
            int side = (int)Math.Sqrt(maxPixels);
            string scale = decoded.Width == w ? "" : $" (decoded at reduced scale: {decoded.Width}x{decoded.Height})";
            return (null, new(413, $"The {format} image is {w}x{h} pixels{scale}, {pixels} pixels to decode, over the decoding budget of {maxPixels} pixels (e.g. {side}x{side}): scale it down before sending."));
        }
        return (new ImageHeader(codec, decoded), null);
    }

    /// <summary>Opens and decodes in one step (the command-line classifier). Returns what is wrong, or null.</summary>
    public static string? DecodeImage(byte[] bytes, float[] input, long maxPixels = DefaultMaxImagePixels)
    {
        var (image, refusal) = OpenImage(bytes, maxPixels);
        if (image is null) return refusal!.Value.Detail;
        using (image) return DecodeImage(image, input);
    }

    /// <summary>
    /// Decodes a PNG or JPEG (SkiaSharp) into the model's 28×28 input, as Fashion-MNIST was made from product photos:
    /// transparency composited over white, an EXIF orientation applied, grey by luma, the longer side scaled to 28
    /// (linear filtering over mipmaps, so a large image is averaged rather than point-sampled) and the shorter one
    /// centred on the background; an image whose border is mostly light (an item on white) is inverted, since
    /// Fashion-MNIST items are light on black; then bytes × 1/255 like the training data. A 28×28 image is taken pixel
    /// for pixel. Returns what is wrong, or null.
    /// </summary>
    public static string? DecodeImage(ImageHeader image, float[] input)
    {
        var codec = image.Codec;
        int w = image.Decoded.Width, h = image.Decoded.Height;
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
