using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using CompiledNet;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Serve;

/// <summary>An image whose header passed the decoding budget, and the size it will be decoded at.</summary>
public sealed class ImageHeader : IDisposable
{
    internal ImageHeader(SKCodec codec, SKSizeI decoded) { Codec = codec; Decoded = decoded; }
    public SKCodec Codec { get; }
    public SKSizeI Decoded { get; }
    public void Dispose() => Codec.Dispose();
}

/// <summary>
/// POST /predict: reads the body by its exact media type, validates it, predicts with the current network and
/// answers the prediction or a problem (RFC 9457). Images are decoded by at most Serve:MaxConcurrentDecodes at a
/// time (a <see cref="ConcurrencyLimiter"/> with a bounded queue); a request that finds the queue full or waits
/// longer than Serve:DecodeQueueTimeoutSeconds is refused with 503 and Retry-After.
/// </summary>
public sealed class Predictor : IDisposable
{
    private readonly ModelStore _model;
    private readonly ServeMetrics _metrics;
    private readonly ServiceStats _stats;
    private readonly ServeOptions _options;
    private readonly ILogger<Predictor> _logger;
    private readonly ConcurrencyLimiter _decoders;

    public Predictor(ModelStore model, ServeMetrics metrics, ServiceStats stats, IOptions<ServeOptions> options, ILogger<Predictor> logger)
    {
        _model = model;
        _metrics = metrics;
        _stats = stats;
        _options = options.Value;
        _logger = logger;
        _decoders = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.MaxConcurrentDecodes,
            QueueLimit = _options.MaxQueuedDecodes,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>The media types /predict reads, matched exactly (parameters such as charset aside).</summary>
    public const string Accepted = "application/json (784 numbers), image/png, image/jpeg, application/octet-stream (a PNG or JPEG), or multipart/form-data with one image file";

    public async Task<IResult> Predict(HttpContext context)
    {
        string type = context.Request.ContentType ?? "";
        string media = MediaTypeHeaderValue.TryParse(type, out var parsed) ? parsed.MediaType ?? "" : "";
        float[] input = new float[ServedNetwork.InputSize];
        Refusal? refusal;
        try
        {
            refusal = media.ToLowerInvariant() switch
            {
                "application/json" => Bad(await ParseJsonBody(context.Request, input)),
                "multipart/form-data" => await ReadForm(context, input),
                "image/png" or "image/jpeg" or "application/octet-stream" => await Decode(await ReadBody(context.Request), input, context.RequestAborted),
                _ => new Refusal(StatusCodes.Status415UnsupportedMediaType, $"Unsupported Content-Type '{type}': send {Accepted}."),
            };
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals while reading the body: over the size limit, a broken chunked encoding, a timeout.
            refusal = new(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"The request body is over the limit of {_options.MaxBodyBytes} bytes."
                : $"The request body could not be read: {ex.Message}");
        }
        if (refusal is { } r) return Refuse(context, r);

        var net = _model.Current;   // once: a reload meanwhile does not change the network this request uses
        var probabilities = new float[ServedNetwork.Classes];
        long bytesBefore = GC.GetAllocatedBytesForCurrentThread(), ticksBefore = Stopwatch.GetTimestamp();
        net.Predict(input, probabilities);
        long ticks = Stopwatch.GetTimestamp() - ticksBefore, bytes = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
        _stats.Prediction(bytes, ticks);
        _metrics.Prediction(ticks * 1e6 / Stopwatch.Frequency, bytes);
        for (int k = 0; k < probabilities.Length; k++)
            if (!float.IsFinite(probabilities[k]))
            {
                Log.NonFiniteOutput(_logger, probabilities[k], k);
                return Refuse(context, new(StatusCodes.Status500InternalServerError,
                    $"The model gave a non-finite output ({probabilities[k]} for class {k}) for a valid input: the served checkpoint is broken. This has been logged."));
            }
        int best = 0;
        for (int k = 1; k < probabilities.Length; k++) if (probabilities[k] > probabilities[best]) best = k;
        return TypedResults.Json(new PredictResponse(best, FashionMnist.ClassNames[best], probabilities, input), ServeJson.Web.PredictResponse);
    }

    private static Refusal? Bad(string? error) => error is null ? null : new Refusal(StatusCodes.Status400BadRequest, error);

    private IResult Refuse(HttpContext context, Refusal refusal)
    {
        _metrics.Refusal(refusal.Status);
        Log.Refused(_logger, refusal.Status, refusal.Detail);
        if (refusal.Status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(detail: refusal.Detail, statusCode: refusal.Status);
    }

    /// <summary>Checks the header against the budget, waits for a decoder (bounded), decodes.</summary>
    private async Task<Refusal?> Decode(byte[] bytes, float[] input, CancellationToken aborted)
    {
        var (image, refusal) = FashionService.OpenImage(bytes, _options.MaxImagePixels);
        if (image is null) return refusal;
        using (image)
        {
            RateLimitLease lease;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted))
            {
                wait.CancelAfter(TimeSpan.FromSeconds(_options.DecodeQueueTimeoutSeconds));
                try { lease = await _decoders.AcquireAsync(1, wait.Token); }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested) { lease = FailedLease.Instance; }
            }
            using (lease)
            {
                if (!lease.IsAcquired)
                {
                    Log.DecodeQueueFull(_logger, _options.DecodeQueueTimeoutSeconds, _options.MaxQueuedDecodes);
                    return new(StatusCodes.Status503ServiceUnavailable,
                        $"All {_options.MaxConcurrentDecodes} image decoders are busy and {_options.MaxQueuedDecodes} images wait already (or none was free within {_options.DecodeQueueTimeoutSeconds} s): try again shortly.");
                }
                _metrics.Decode();
                return Bad(FashionService.DecodeImage(image, input));
            }
        }
    }

    private sealed class FailedLease : RateLimitLease
    {
        public static readonly FailedLease Instance = new();
        public override bool IsAcquired => false;
        public override System.Collections.Generic.IEnumerable<string> MetadataNames => Array.Empty<string>();
        public override bool TryGetMetadata(string metadataName, out object? metadata) { metadata = null; return false; }
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
        try { return FashionService.ParseJson(read.Buffer, input); }
        finally { pipe.AdvanceTo(read.Buffer.End); }
    }

    private static async Task<byte[]> ReadBody(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>A multipart form with one file: the image.</summary>
    private async Task<Refusal?> ReadForm(HttpContext context, float[] input)
    {
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync();
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IOException && ex is not BadHttpRequestException)
        {
            return Bad($"The multipart form could not be read: {ex.Message}");
        }
        if (form.Files.Count == 0) return Bad("The form has no file: send the image as a file field (e.g. \"image\").");
        if (form.Files.Count > 1) return Bad($"The form has {form.Files.Count} files; send one image.");
        using var stream = new MemoryStream();
        await form.Files[0].CopyToAsync(stream);
        return await Decode(stream.ToArray(), input, context.RequestAborted);
    }

    public void Dispose() => _decoders.Dispose();
}

/// <summary>
/// An exception no code expected: logged with the request and its trace id, answered as a 500 problem whose detail
/// names the exception's type and the trace id (never its message, which may hold internals).
/// </summary>
public sealed class LoggingExceptionHandler : IExceptionHandler
{
    private readonly ILogger<LoggingExceptionHandler> _logger;
    private readonly IProblemDetailsService _problems;
    private readonly ServeMetrics _metrics;

    public LoggingExceptionHandler(ILogger<LoggingExceptionHandler> logger, IProblemDetailsService problems, ServeMetrics metrics)
    {
        _logger = logger;
        _problems = problems;
        _metrics = metrics;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        string trace = Activity.Current?.Id ?? context.TraceIdentifier;
        Log.UnexpectedException(_logger, exception, exception.GetType().Name, context.Request.Method, context.Request.Path.Value ?? "", trace);
        _metrics.Refusal(StatusCodes.Status500InternalServerError);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await _problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Internal error",
                Detail = $"Internal error ({exception.GetType().Name}); it has been logged with trace id {trace}.",
            },
        });
    }
}
