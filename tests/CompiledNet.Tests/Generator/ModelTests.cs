using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using CompiledNet.Generator;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CompiledNet.Tests.Generator;

public class ModelTests
{
    /// <summary>The pipeline caches by comparing models; a symbol, compilation or syntax node inside would defeat it (and leak memory).</summary>
    [Fact]
    public void ModelTypesHoldNoSymbolsCompilationsOrSyntax()
    {
        var modelTypes = typeof(NetworkGenerator).Assembly.GetTypes()
            .Where(t => t.Namespace == "CompiledNet.Generator.Model" && !t.IsEnum && !t.Name.StartsWith("<"))
            .ToList();
        Assert.NotEmpty(modelTypes);
        var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(AttributeData) };
        foreach (var type in modelTypes)
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                foreach (var reached in Expand(field.FieldType))
                    Assert.False(forbidden.Any(f => f.IsAssignableFrom(reached)), $"{type.Name}.{field.Name} can hold a {reached.Name}");
    }

    private static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        if (type.IsArray) foreach (var t in Expand(type.GetElementType()!)) yield return t;
        if (type.IsGenericType) foreach (var arg in type.GetGenericArguments()) foreach (var t in Expand(arg)) yield return t;
    }

    [Fact]
    public void UnrelatedEditLeavesTheOutputCached_LayerSizeEditRegenerates()
    {
        var first = GeneratorHarness.Run(SnapshotTests.Xor, "class Other { void M() { } }");
        var driver = first.Driver;

        var edited = first.Output.RemoveAllSyntaxTrees()
            .AddSyntaxTrees(GeneratorHarness.Compile(SnapshotTests.Xor, "class Other { void M() { int x = 1; } }").SyntaxTrees);
        driver = driver.RunGenerators(edited);
        var steps = driver.GetRunResult().Results[0].TrackedSteps;
        Assert.All(steps[NetworkGenerator.SpecStep].SelectMany(s => s.Outputs), o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.All(driver.GetRunResult().Results[0].TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

        var resized = edited.RemoveAllSyntaxTrees()
            .AddSyntaxTrees(GeneratorHarness.Compile(SnapshotTests.Xor.Replace("Dense(4,", "Dense(5,"), "class Other { }").SyntaxTrees);
        driver = driver.RunGenerators(resized);
        Assert.Contains(driver.GetRunResult().Results[0].TrackedSteps[NetworkGenerator.SpecStep].SelectMany(s => s.Outputs),
            o => o.Reason == IncrementalStepRunReason.Modified);
    }
}
