using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CompiledNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CompiledNet.CodeFixes.Tests;

/// <summary>
/// A code-fix test whose diagnostics come from CompiledNet's analyzer, as in the IDE: the framework runs
/// <see cref="NetworkAnalyzer"/> and the generator over the sources, offers the fixer every CNET diagnostic it claims,
/// applies the fix one diagnostic at a time and as a fix-all in document, project and solution scope, and compares the
/// result with the expected text. Every diagnostic is expected exactly where the markup says, so one reported twice
/// fails the test. The fixed state must then have no diagnostic at all: no CNET diagnostic and no compiler error or
/// warning, with the generated code compiled in.
/// </summary>
public sealed class FixTest<TFix> : CSharpCodeFixTest<NetworkAnalyzer, TFix, DefaultVerifier>
    where TFix : CodeFixProvider, new()
{
    // The running runtime's shared framework plus CompiledNet's assemblies; nothing is downloaded.
    internal static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == framework).ToList();
        paths.Add(typeof(NetworkAttribute).Assembly.Location);
        paths.Add(typeof(ITrainable).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    public FixTest()
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(References.Value);
        // The generated code is not compared as text (the snapshot tests do that); it is compiled in both states.
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        CompilerDiagnostics = CompilerDiagnostics.Warnings;
        // The framework compiles with documentation comments on; the test declarations have none.
        DisabledDiagnostics.Add("CS1591");
    }

    protected override IEnumerable<Type> GetSourceGenerators() { yield return typeof(NetworkGenerator); }

    protected override ParseOptions CreateParseOptions() => new CSharpParseOptions(LanguageVersion.Latest);

    /// <summary>
    /// Runs the test with <paramref name="before"/> (CNET diagnostics marked <c>{|CNET0001:text|}</c>) and
    /// <paramref name="after"/>; each applied action must have the title <paramref name="title"/> (unless null). Then runs the
    /// generator and the analyzer over <paramref name="after"/> outside the framework: code is emitted, nothing is reported.
    /// </summary>
    public static async Task VerifyAsync(string before, string after, string? title)
    {
        var test = new FixTest<TFix> { TestCode = before, FixedCode = after };
        if (title != null) test.CodeActionVerifier = (action, verifier) => verifier.Equal(title, action.Title);
        await test.RunAsync();
        GeneratesCleanly(after);
    }

    /// <summary>The analyzer reports a diagnostic here, but the fixer offers nothing for it.</summary>
    public static async Task VerifyNoFixAsync(string source)
    {
        var test = new FixTest<TFix> { TestCode = source, FixedCode = source };
        await test.RunAsync();
    }

    private static void GeneratesCleanly(string source)
    {
        var compilation = CSharpCompilation.Create("Fixed",
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Fixed.cs") },
            References.Value, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var driver = CSharpGeneratorDriver.Create(new NetworkGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var run = driver.GetRunResult();
        Assert.Empty(run.Diagnostics);
        Assert.NotEmpty(run.Results.SelectMany(r => r.GeneratedSources));
        var analyzed = output.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer())).GetAllDiagnosticsAsync().Result;
        Assert.Empty(analyzed.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }
}
