using Xunit;

namespace CompiledNet.Serve.Tests;

/// <summary>
/// Tests that read the service's meters run alone: OpenTelemetry collects every meter named "CompiledNet.Serve" in the
/// process, so a service that another test class starts at the same time would add its predictions to the counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Process-wide meters";
}
