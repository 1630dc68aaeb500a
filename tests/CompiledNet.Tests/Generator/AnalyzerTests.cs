using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CompiledNet.Generator;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CompiledNet.Tests.Generator;

/// <summary>
/// The split between <see cref="NetworkAnalyzer"/> and <see cref="NetworkGenerator"/>: the analyzer runs the generator's
/// parser and reports every declaration diagnostic; the generator reports none of them and emits nothing for a
/// declaration with an error. The categories let one .editorconfig line silence the training advice, and every help
/// link points into the repository the package names.
/// </summary>
public class AnalyzerTests
{
    private const string Output = "[Dense(2, Activation.Softmax)][Loss(LossKind.SoftmaxCrossEntropy)]";

    /// <summary>Declarations that trigger, between them, errors and warnings of both categories.</summary>
    private static readonly string[] Mistakes =
    {
        "[Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public class NotPartial { }",
        "[Network(Input = 0, BatchSize = -1)][Dense(0, Activation.Tanh)]" + Output + " public partial class Sizes { }",
        "[Network(Input = 2)][Dense(1, Activation.Sigmoid)] public partial class NoLoss { }",
        "[Network(Input = 2)][Dense(3, Activation.Sigmoid)][Loss(LossKind.SoftmaxCrossEntropy)] public partial class WrongLoss { }",
        "[Network(Input = 2)][Dense(1, Activation.Sigmoid)][Loss(LossKind.Quadratic)][Optimizer(OptimizerKind.Sgd, Beta1 = 0.8f)] public partial class Advice { }",
        "[Network(Input = 4)][Dense(8, Activation.Tanh)][Dense(8, Activation.Tanh)][Dense(8, Activation.Tanh)]" + Output + " public partial class Deep { }",
        "[Dense(3, Activation.ReLU)] public partial class Orphan { }",
        "[Network(Input = 4)][Dense(8, Activation.Maxout)]" + Output + " public partial record Record;",
    };

    [Fact]
    public void EveryDeclarationDiagnosticIsReportedOnce_ByTheAnalyzer_AndNoneByTheGenerator()
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n" + string.Join("\n", Mistakes));

        Assert.Empty(result.ReportedByGenerator);
        var ids = result.ReportedByAnalyzer.Select(d => d.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "CNET0001", "CNET0004", "CNET0005", "CNET0007", "CNET0010", "CNET0011", "CNET0017", "CNET0019", "CNET0020", "CNET0021", "CNET0025", "CNET0028" }, ids);
        var repeated = result.Diagnostics.GroupBy(d => (d.Id, d.Location.SourceSpan, Message: d.GetMessage())).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(repeated);
    }

    [Fact]
    public void InvalidDeclaration_GeneratesNoSource_AndTheBuildShowsOnlyItsDiagnostic()
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n[Network(Input = 2)][Dense(1, Activation.Sigmoid)] internal partial class NoLoss { }");

        Assert.Empty(result.Sources);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CNET0010", d.Id);
        // No cascade: the compilation without generated code has no error (nor warning) of its own.
        Assert.Empty(result.Output.GetDiagnostics().Where(x => x.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void ValidDeclarationWithAdvice_IsGenerated_AndTheAdviceIsReportedOnce()
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n[Network(Input = 1)][Dense(1, Activation.Sigmoid)][Loss(LossKind.Quadratic)] public partial class N { }");

        Assert.Single(result.Sources);
        Assert.Equal("CNET0019", Assert.Single(result.Diagnostics).Id);
    }

    /// <summary>
    /// A build that runs no analyzer (the package's build file then sets CompiledNetReportDiagnostics): the generator
    /// reports exactly what the analyzer would have, so an invalid declaration never passes silently.
    /// </summary>
    [Fact]
    public void BuildWithoutAnalyzers_TheGeneratorReportsWhatTheAnalyzerWould()
    {
        var compilation = GeneratorHarness.Compile("using CompiledNet;\n" + string.Join("\n", Mistakes));
        static string[] Describe(System.Collections.Generic.IEnumerable<Diagnostic> diagnostics)
            => diagnostics.Select(d => $"{d.Id} {d.Severity} {d.Location.SourceTree?.FilePath}{d.Location.SourceSpan} {d.GetMessage()}").OrderBy(x => x, StringComparer.Ordinal).ToArray();

        var byAnalyzer = Describe(GeneratorHarness.Analyze(compilation));
        var byGenerator = GeneratorHarness.RunGeneratorWith(compilation, "true");

        Assert.Equal(12, byAnalyzer.Select(d => d.Substring(0, 8)).Distinct().Count());
        Assert.Equal(byAnalyzer, Describe(byGenerator));
        Assert.All(byGenerator, d => Assert.Same(compilation.SyntaxTrees.Single(), d.Location.SourceTree));
    }

    [Fact]
    public void BuildWithAnalyzers_TheGeneratorReportsNothing()
    {
        var compilation = GeneratorHarness.Compile("using CompiledNet;\n" + string.Join("\n", Mistakes));

        Assert.Empty(GeneratorHarness.RunGeneratorWith(compilation, "false"));
    }

    /// <summary>What an IDE shows while the declaration is typed: the analyzer alone, with no generated code yet.</summary>
    [Fact]
    public void AnalyzerAlone_ReportsTheDeclarationsDiagnostics_WithoutTheGenerator()
    {
        var compilation = GeneratorHarness.Compile("using CompiledNet;\n[Network(Input = 2)][Dense(3, Activation.Softmax)][Dense(1, Activation.Sigmoid)][Loss(LossKind.LogLoss)] public partial class N { }");

        var d = Assert.Single(GeneratorHarness.Analyze(compilation));
        Assert.Equal("CNET0009", d.Id);
        Assert.Equal("Activation.Softmax", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
    }

    [Fact]
    public void PragmaWarningDisable_SilencesTheAnalyzersWarning()
    {
        var result = GeneratorHarness.Run("using CompiledNet;\n#pragma warning disable CNET0019\n[Network(Input = 1)][Dense(1, Activation.Sigmoid)][Loss(LossKind.Quadratic)] public partial class N { }");

        Assert.Empty(result.Diagnostics);
        Assert.Single(result.Sources);
    }

    [Fact]
    public void OneEditorConfigLine_SilencesEveryTrainingDiagnostic_AndNoDeclarationDiagnostic()
    {
        var compilation = GeneratorHarness.Compile("using CompiledNet;\n" + string.Join("\n", Mistakes));
        var all = GeneratorHarness.Analyze(compilation);
        var silenced = GeneratorHarness.Analyze(compilation, "dotnet_analyzer_diagnostic.category-CompiledNet.Training.severity = none\n");

        // Without the line the advice is there (CNET0019 and CNET0020); with it, exactly the advice is gone.
        Assert.Contains(all, d => d.Id == "CNET0019");
        Assert.Contains(all, d => d.Id == "CNET0020");
        Assert.Equal(
            all.Where(d => d.Descriptor.Category != DiagnosticDescriptorsCategories.Training).Select(d => d.ToString()).OrderBy(x => x, StringComparer.Ordinal),
            silenced.Select(d => d.ToString()).OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void DeclarationCategorySeverity_CanRaiseTheDeclarationWarningsToErrors()
    {
        var compilation = GeneratorHarness.Compile("using CompiledNet;\n" + Mistakes[4]);
        var raised = GeneratorHarness.Analyze(compilation, "dotnet_analyzer_diagnostic.category-CompiledNet.Declaration.severity = error\n");

        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(raised, d => d.Id == "CNET0017").Severity);
        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(raised, d => d.Id == "CNET0019").Severity);
    }

    /// <summary>Advice about training is CompiledNet.Training; every other diagnostic makes a declaration wrong.</summary>
    [Fact]
    public void Categories_TrainingHoldsExactlyTheAdvice()
    {
        var descriptors = new NetworkAnalyzer().SupportedDiagnostics;
        Assert.Equal(new[] { "CNET0019", "CNET0020" },
            descriptors.Where(d => d.Category == DiagnosticDescriptorsCategories.Training).Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
        Assert.All(descriptors.Where(d => d.Category != DiagnosticDescriptorsCategories.Training),
            d => Assert.Equal(DiagnosticDescriptorsCategories.Declaration, d.Category));
        Assert.All(descriptors.Where(d => d.Category == DiagnosticDescriptorsCategories.Training),
            d => Assert.NotEqual(DiagnosticSeverity.Error, d.DefaultSeverity));
    }

    /// <summary>docs/diagnostics.md's category column names each id's category, as a user writes it after "CompiledNet.".</summary>
    [Fact]
    public void DocsCategoryColumn_MatchesEachDescriptor()
    {
        string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        var rows = File.ReadAllLines(Path.Combine(root, "docs/diagnostics.md"))
            .Select(line => Regex.Match(line, @"^\| <a id=""cnet\d+""></a>(CNET\d+) \| [a-z]+ \| ([A-Za-z]+) \|"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => "CompiledNet." + m.Groups[2].Value);

        var descriptors = new NetworkAnalyzer().SupportedDiagnostics;
        Assert.Equal(descriptors.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal), rows.Keys.OrderBy(id => id, StringComparer.Ordinal));
        Assert.All(descriptors, d => Assert.Equal(d.Category, rows[d.Id]));
    }

    /// <summary>
    /// The help links are built from the one repository address in src/Directory.Build.props, which is also the
    /// package's project and repository URL; each points at the id's row in docs/diagnostics.md.
    /// </summary>
    [Fact]
    public void HelpLinks_PointAtTheRepositoryThePackageNames_AndAtTheIdsRowInTheDocs()
    {
        string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        string props = File.ReadAllText(Path.Combine(root, "src/Directory.Build.props"));
        string url = Regex.Match(props, "<CompiledNetRepositoryUrl>([^<]+)</CompiledNetRepositoryUrl>").Groups[1].Value;
        Assert.StartsWith("https://github.com/", url);
        string project = File.ReadAllText(Path.Combine(root, "src/Runtime/CompiledNet.Runtime.csproj"));
        Assert.Contains("<PackageProjectUrl>$(CompiledNetRepositoryUrl)</PackageProjectUrl>", project);
        Assert.Contains("<RepositoryUrl>$(CompiledNetRepositoryUrl)</RepositoryUrl>", project);
        string docs = File.ReadAllText(Path.Combine(root, "docs/diagnostics.md"));

        foreach (var d in new NetworkAnalyzer().SupportedDiagnostics)
        {
            Assert.Equal(url + "/blob/main/docs/diagnostics.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
            Assert.Contains($"<a id=\"{d.Id.ToLowerInvariant()}\"></a>", docs);
        }
    }
}

/// <summary>The two categories, as a user writes them in .editorconfig.</summary>
internal static class DiagnosticDescriptorsCategories
{
    public const string Declaration = "CompiledNet.Declaration";
    public const string Training = "CompiledNet.Training";
}
