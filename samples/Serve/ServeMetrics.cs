using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace Serve;

/// <summary>
/// The service's own figures as a <see cref="Meter"/> named <see cref="MeterName"/> (exported with ASP.NET Core's
/// request metrics at /metrics in Prometheus text format): time and bytes allocated inside <c>Predict</c> per
/// prediction, refusals by status, decodes, model reloads.
/// </summary>
public sealed class ServeMetrics
{
    public const string MeterName = "CompiledNet.Serve";

    private readonly Histogram<double> _predictMicroseconds;
    private readonly Counter<long> _predictAllocatedBytes, _predictions, _refusals, _reloads, _decodes;

    public ServeMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _predictMicroseconds = meter.CreateHistogram<double>("compilednet.predict.duration", "us", "Time inside the network's Predict, per prediction.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = new double[] { 2, 5, 10, 15, 20, 30, 50, 100, 200, 500, 1000 } });
        _predictAllocatedBytes = meter.CreateCounter<long>("compilednet.predict.allocated", "By", "Bytes allocated inside the network's Predict (0 by design).");
        _predictions = meter.CreateCounter<long>("compilednet.predictions", null, "Predictions answered.");
        _refusals = meter.CreateCounter<long>("compilednet.refusals", null, "Requests refused, by HTTP status.");
        _reloads = meter.CreateCounter<long>("compilednet.model.reloads", null, "Checkpoint reloads, by outcome (loaded or refused).");
        _decodes = meter.CreateCounter<long>("compilednet.image.decodes", null, "Images decoded.");
    }

    public void Prediction(double microseconds, long allocatedBytes)
    {
        _predictions.Add(1);
        _predictMicroseconds.Record(microseconds);
        _predictAllocatedBytes.Add(allocatedBytes);
    }

    public void Refusal(int status) => _refusals.Add(1, new KeyValuePair<string, object?>("http.response.status_code", status));

    public void Reload(bool succeeded) => _reloads.Add(1, new KeyValuePair<string, object?>("outcome", succeeded ? "loaded" : "refused"));

    public void Decode() => _decodes.Add(1);
}
