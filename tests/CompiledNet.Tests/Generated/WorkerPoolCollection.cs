using Xunit;

namespace CompiledNet.Tests.Generated;

/// <summary>
/// Tests that split work across the process-wide worker pool run alone: xunit runs test classes in parallel, and a
/// batch whose workers are busy with another test's step runs on its caller instead (that is the pool's contract for
/// concurrent callers), so a split test running beside another could pass without ever splitting.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerPoolCollection
{
    public const string Name = "Worker pool";
}
