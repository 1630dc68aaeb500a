using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using CompiledNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CompiledNet.Tests.Generator;

/// <summary>Runs the generator and the analyzer over source text in memory and compiles the result.</summary>
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

    /// <summary>
    /// What a build shows: <paramref name="Output"/> is the compilation with the generated sources;
    /// <paramref name="Diagnostics"/> every CompiledNet diagnostic, those of <see cref="NetworkAnalyzer"/> and those of
    /// the generator, each as reported (not de-duplicated, so a diagnostic reported twice shows twice).
    /// </summary>
    public sealed record Result(
        CSharpCompilation Output,
        ImmutableArray<Diagnostic> Diagnostics,
        ImmutableArray<Diagnostic> ReportedByAnalyzer,
        ImmutableArray<Diagnostic> ReportedByGenerator,
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
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var run = driver.GetRunResult();
        var generated = run.Results.SelectMany(r => r.GeneratedSources).Select(s => (s.HintName, s.SourceText.ToString())).ToList();
        var analyzer = Analyze(output);
        return new Result((CSharpCompilation)output, analyzer.AddRange(run.Diagnostics), analyzer, run.Diagnostics, generated, driver);
    }

    /// <summary>
    /// The diagnostics of <see cref="NetworkAnalyzer"/> over <paramref name="compilation"/> (with its generated sources,
    /// as a build runs analyzers), after suppressions such as #pragma. <paramref name="editorConfig"/>, when given, is
    /// the text of an .editorconfig section that applies to every file (for example a category's severity).
    /// </summary>
    public static ImmutableArray<Diagnostic> Analyze(Compilation compilation, string? editorConfig = null)
    {
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);
        if (editorConfig != null)
        {
            var config = AnalyzerConfig.Parse("root = true\n[*.cs]\n" + editorConfig, "/.editorconfig");
            var values = AnalyzerConfigSet.Create(new[] { config }).GetOptionsForSourcePath("/Network0.cs").AnalyzerOptions;
            options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new ConfigProvider(new Config(values)));
        }
        // An exception in the analyzer (AD0001 in a build) fails the test here rather than hiding among diagnostics.
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer()),
            new CompilationWithAnalyzersOptions(options, (exception, _, _) => failures.Enqueue(exception), concurrentAnalysis: true, logAnalyzerExecutionTime: false));
        var diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync().Result;
        if (!failures.IsEmpty) throw new AggregateException("NetworkAnalyzer threw", failures);
        return diagnostics;
    }

    /// <summary>
    /// Runs the generator alone over <paramref name="compilation"/> as a build with the MSBuild property
    /// CompiledNetReportDiagnostics set to <paramref name="reportDiagnostics"/> (the package's build file sets it when the
    /// build runs no analyzer), and returns what the generator reported.
    /// </summary>
    public static ImmutableArray<Diagnostic> RunGeneratorWith(Compilation compilation, string reportDiagnostics)
    {
        var global = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase)
            .Add(NetworkGenerator.ReportDiagnosticsProperty, reportDiagnostics);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
            optionsProvider: new ConfigProvider(new Config(global)));
        return driver.RunGenerators(compilation).GetRunResult().Diagnostics;
    }

    /// <summary>The options of one .editorconfig section, for every file: what the compiler gives analyzers.</summary>
    private sealed class Config(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }

    private sealed class ConfigProvider(AnalyzerConfigOptions options) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions => options;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => options;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => options;
    }
}
