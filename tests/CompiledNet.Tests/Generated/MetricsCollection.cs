using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// Tests that listen to the process-wide meter and activity source "CompiledNet.Training" run alone: every training
/// run in the process reports to them, so a test class training at the same time would add its measurements.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Process-wide meters";
}
