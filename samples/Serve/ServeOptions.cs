using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.Extensions.Options;

namespace Serve;

/// <summary>
/// The service's settings, section <c>Serve</c> of the configuration: appsettings.json, environment variables
/// (<c>Serve__MaxImagePixels=…</c>) or the command line (<c>--Serve:MaxImagePixels=…</c>, or the short options
/// <c>--checkpoint</c>, <c>--data</c>, <c>--url</c>). Checked when the service starts (<see cref="ServeOptionsValidator"/>).
/// </summary>
public sealed class ServeOptions
{
    /// <summary>
    /// The checkpoint to serve, of <see cref="FashionNet"/> (saved by samples/FashionMnist --save) or <see cref="FashionCnn"/>
    /// (samples/FashionMnistCnn --save): the file says which. Without one the program trains a quick FashionNet.
    /// </summary>
    public string? Checkpoint { get; set; }

    /// <summary>The Fashion-MNIST directory used when no checkpoint is given (the quick training).</summary>
    public string? Data { get; set; }

    /// <summary>Watch <see cref="Checkpoint"/> and serve a newly saved network without a restart.</summary>
    public bool WatchCheckpoint { get; set; } = true;

    /// <summary>How long the file must be quiet after a change before it is loaded (several events come per save).</summary>
    public int ReloadDelayMilliseconds { get; set; } = 200;

    /// <summary>Largest request body: 1 MiB (a 28×28 JSON array is about 10 KB; a photo should be resized first).</summary>
    public long MaxBodyBytes { get; set; } = 1 << 20;

    /// <summary>
    /// The decoding budget: the most pixels an image may have once decoded (a JPEG is decoded at a reduced scale where
    /// its codec can, so only the reduced size counts). Checked from the image's header before anything is decoded.
    /// Decoding takes about 5 bytes per pixel (RGBA and grey), so the default of 2048×2048 pixels is about 21 MB per decode.
    /// </summary>
    public long MaxImagePixels { get; set; } = 2048L * 2048;

    /// <summary>
    /// Images decoded at the same time; further ones wait in a queue. The default, one per processor but one (at least
    /// one), leaves a processor for everything else: health probes, metrics and JSON predictions are not held up by
    /// decodes (a decode runs on a thread-pool thread for its whole length).
    /// </summary>
    public int MaxConcurrentDecodes { get; set; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Images that may wait for a decoder; beyond this a request is refused at once with 503 and Retry-After.</summary>
    public int MaxQueuedDecodes { get; set; } = 32;

    /// <summary>Longest wait for a decoder before a request is refused with 503 and Retry-After.</summary>
    public double DecodeQueueTimeoutSeconds { get; set; } = 10;
}

/// <summary>Refuses settings out of range at start-up, naming the setting, its value and the range.</summary>
public sealed class ServeOptionsValidator : IValidateOptions<ServeOptions>
{
    public ValidateOptionsResult Validate(string? name, ServeOptions o)
    {
        var errors = new List<string>();
        void Range(string setting, double value, double min, double max)
        {
            if (!(value >= min && value <= max))
                errors.Add(FormattableString.Invariant($"Serve:{setting} is {value}; it must be {min} to {max}."));
        }
        Range(nameof(o.MaxBodyBytes), o.MaxBodyBytes, 1024, 64 << 20);
        Range(nameof(o.MaxImagePixels), o.MaxImagePixels, 28 * 28, 64L << 20);
        Range(nameof(o.MaxConcurrentDecodes), o.MaxConcurrentDecodes, 1, 256);
        Range(nameof(o.MaxQueuedDecodes), o.MaxQueuedDecodes, 0, 10_000);
        Range(nameof(o.DecodeQueueTimeoutSeconds), o.DecodeQueueTimeoutSeconds, 0.001, 600);
        Range(nameof(o.ReloadDelayMilliseconds), o.ReloadDelayMilliseconds, 0, 60_000);
        if (o.Checkpoint is { } path && !File.Exists(path))
            errors.Add($"Serve:Checkpoint is '{path}', which is not a file (give the file samples/FashionMnist or samples/FashionMnistCnn --save wrote).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
