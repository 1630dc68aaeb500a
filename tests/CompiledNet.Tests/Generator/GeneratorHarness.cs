using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using CompiledNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CompiledNet.Tests.Generator;

/// <summary>Runs the generator over source text in memory and compiles the result.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(NetworkAttribute).Assembly.Location); // CompiledNet.Attributes
        paths.Add(typeof(ITrainable).Assembly.Location);       // CompiledNet (runtime)
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    public static CSharpCompilation Compile(params string[] sources)
        => Compile(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable), sources);

    public static CSharpCompilation Compile(CSharpCompilationOptions options, params string[] sources)
        => CSharpCompilation.Create("UserAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose), path: $"Network{i}.cs")),
            References.Value,
            options);

    public sealed record Result(
        CSharpCompilation Output,
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        IReadOnlyList<(string HintName, string Text)> Sources,
        GeneratorDriver Driver);

    public static Result Run(params string[] sources)
        => Run(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable), sources);

    public static Result Run(CSharpCompilationOptions options, params string[] sources)
    {
        var compilation = Compile(options, sources);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            // Generated code is parsed as a project with documentation output would parse it, so broken XML docs show.
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var run = driver.GetRunResult();
        var generated = run.Results.SelectMany(r => r.GeneratedSources).Select(s => (s.HintName, s.SourceText.ToString())).ToList();
        return new Result((CSharpCompilation)output, diagnostics.AddRange(run.Diagnostics).Distinct().ToImmutableArray(), generated, driver);
    }
}
