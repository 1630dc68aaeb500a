using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serve;

/// <summary>
/// The network being served (one per process, registered as a singleton) and its hot reload: the checkpoint file is
/// watched, and a newly saved network is loaded into a fresh instance of the network that wrote it (<see cref="FashionNet"/>
/// or <see cref="FashionCnn"/>: the file says which, <see cref="ServedNetwork.Identify"/>) and swapped in with one atomic
/// reference write, so a reload may replace the dense network by the convolutional one or back. A request takes
/// <see cref="Current"/> once, so it finishes on the network it started with. A new file that does not load (truncated,
/// corrupt, of another network) or whose outputs are not finite is refused and logged; the previous network keeps serving.
/// </summary>
public sealed class ModelStore : IHostedService, IDisposable
{
    private readonly ServeOptions _options;
    private readonly ILogger<ModelStore> _logger;
    private readonly ServeMetrics _metrics;
    private ServedModel? _served;
    private FileSystemWatcher? _watcher;
    private Timer? _debounce;
    private readonly object _reloadLock = new();

    public ModelStore(IOptions<ServeOptions> options, ILogger<ModelStore> logger, ServeMetrics metrics)
    {
        _options = options.Value;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>The network being served, which one it is and its generation, or null before the first; read it once and use that.</summary>
    public ServedModel? Served => Volatile.Read(ref _served);

    /// <summary>The network to predict with; take it once per request.</summary>
    public ICompiledNetwork Current => Served?.Network ?? throw new InvalidOperationException("No model is loaded yet.");

    /// <summary>Whether a network is loaded (readiness).</summary>
    public bool IsLoaded => Served is not null;

    /// <summary>1 for the first network served, +1 for every reload; 0 before the first.</summary>
    public long Generation => Served?.Generation ?? 0;

    /// <summary>
    /// Serves <paramref name="net"/> from now on (start-up, or a network trained in the process). It must be one of
    /// <see cref="ServedNetwork.Known"/>; another network throws <see cref="ArgumentException"/> naming it.
    /// </summary>
    public void Use(ICompiledNetwork net)
    {
        ArgumentNullException.ThrowIfNull(net);
        var network = ServedNetwork.Of(net) ?? throw new ArgumentException(
            $"The service serves {string.Join(" or ", ServedNetwork.Known.Select(k => k.Name))}; this network is \"{net.Architecture}\" (fingerprint {net.Fingerprint:X16}).", nameof(net));
        lock (_reloadLock) Volatile.Write(ref _served, new ServedModel(net, network, Generation + 1));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string? path = _options.Checkpoint;
        if (path is null) return Task.CompletedTask;
        if (!IsLoaded)
        {
            // At start-up a bad file stops the service (the exception names the file and the problem).
            Use(Load(path));
            var served = Served!;
            Log.ModelLoaded(_logger, path, served.Kind.Name, served.Kind.Architecture);
        }
        if (_options.WatchCheckpoint) Watch(Path.GetFullPath(path));
        return Task.CompletedTask;
    }

    private void Watch(string path)
    {
        try
        {
            _debounce = new Timer(_ => TryReload(path), null, Timeout.Infinite, Timeout.Infinite);
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            FileSystemEventHandler changed = (_, _) => _debounce.Change(_options.ReloadDelayMilliseconds, Timeout.Infinite);
            _watcher.Changed += changed;
            _watcher.Created += changed;
            _watcher.Renamed += (sender, e) => { if (string.Equals(e.FullPath, path, StringComparison.Ordinal)) changed(sender, e); };
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            Log.CannotWatch(_logger, path, ex.Message);
        }
    }

    /// <summary>Loads <paramref name="path"/> and swaps it in, or logs why not and keeps the current network. Returns whether it swapped.</summary>
    public bool TryReload(string path)
    {
        lock (_reloadLock)
        {
            ICompiledNetwork next;
            try
            {
                if (!File.Exists(path)) return false;   // deleted, or between a save's rename steps: the next event reloads
                next = Load(path);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                _metrics.Reload(succeeded: false);
                Log.ModelReloadRefused(_logger, path, ex.Message);
                return false;
            }
            Use(next);
            _metrics.Reload(succeeded: true);
            var served = Served!;
            Log.ModelReloaded(_logger, path, served.Kind.Name, served.Kind.Architecture, served.Generation);
            return true;
        }
    }

    /// <summary>Loads a checkpoint into a new instance of the network that wrote it and checks that it gives finite probabilities.</summary>
    public static ICompiledNetwork Load(string path)
    {
        var net = ServedNetwork.Load(path);
        if (ModelHealthCheck.Probe(net) is string problem)
            throw new InvalidDataException($"{path}: {problem}");
        return net;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_watcher is not null) _watcher.EnableRaisingEvents = false;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
    }
}

/// <summary>Readiness: a network is loaded and gives finite probabilities that sum to 1 for a blank image.</summary>
public sealed class ModelHealthCheck : IHealthCheck
{
    private readonly ModelStore _model;
    public ModelHealthCheck(ModelStore model) => _model = model;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_model.Served is not { } served) return Task.FromResult(HealthCheckResult.Unhealthy("No model is loaded yet."));
        return Task.FromResult(Probe(served.Network) is string problem
            ? HealthCheckResult.Unhealthy(problem)
            : HealthCheckResult.Healthy(FormattableString.Invariant($"{served.Kind.Name}: {served.Kind.Architecture}, generation {served.Generation}")));
    }

    /// <summary>What is wrong with the network's answer to a blank (all-black) image, or null.</summary>
    public static string? Probe(INetwork net)
    {
        Span<float> input = stackalloc float[ServedNetwork.InputSize], output = stackalloc float[ServedNetwork.Classes];
        input.Clear();
        net.Predict(input, output);
        float sum = 0;
        for (int k = 0; k < output.Length; k++)
        {
            if (!float.IsFinite(output[k])) return FormattableString.Invariant($"the network's output for a blank image is {output[k]} for class {k}, not a probability.");
            sum += output[k];
        }
        return MathF.Abs(sum - 1) < 1e-3f ? null : FormattableString.Invariant($"the network's probabilities for a blank image sum to {sum}, not 1.");
    }
}

/// <summary>What <see cref="ModelStore"/> serves: the network, which of <see cref="ServedNetwork.Known"/> it is, and its generation.</summary>
/// <param name="Network">The instance requests predict with.</param>
/// <param name="Kind">Which network it is (name, fingerprint, architecture).</param>
/// <param name="Generation">1 for the first network served, +1 for every reload.</param>
public sealed record ServedModel(ICompiledNetwork Network, ServedNetwork Kind, long Generation);
