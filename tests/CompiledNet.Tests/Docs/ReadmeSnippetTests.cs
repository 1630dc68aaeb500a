using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CompiledNet.Tests.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CompiledNet.Tests.Docs;

/// <summary>
/// What the README and the pages of docs/ show a user to type must compile as shown: every ```csharp block is compiled
/// as the Program.cs of a new console project (implicit usings on, the generator running), unless the line before it
/// marks it as a fragment (<c>&lt;!-- fragment: why --&gt;</c>). Lines starting with <c>#:</c> are the .NET SDK's
/// file-based-app directives (<c>#:package</c>), read by <c>dotnet run file.cs</c> rather than by the compiler; they are
/// left out here and exercised by <see cref="FileBasedAppTests"/>.
/// </summary>
public class ReadmeSnippetTests
{
    private const string FragmentMarker = "<!-- fragment";

    // The global usings `dotnet new console` turns on (ImplicitUsings=enable).
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    public static IEnumerable<object[]> CompleteBlocks()
        => DocumentedFiles().SelectMany(file => Blocks(File.ReadAllText(Path.Combine(RepositoryRoot(), file)))
            .Where(b => !b.Fragment).Select(b => new object[] { file, b.Line, b.Code }));

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "README.md")) && File.Exists(Path.Combine(dir.FullName, "CompiledNet.sln"))) return dir.FullName;
        throw new FileNotFoundException("README.md beside CompiledNet.sln was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>README.md, docs/*.md and the samples' READMEs, relative to the repository root with '/' separators.</summary>
    internal static IEnumerable<string> DocumentedFiles()
    {
        string root = RepositoryRoot();
        yield return "README.md";
        foreach (string page in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
            yield return "docs/" + Path.GetFileName(page);
        foreach (string sample in Directory.EnumerateDirectories(Path.Combine(root, "samples")).Order(StringComparer.Ordinal))
            if (File.Exists(Path.Combine(sample, "README.md"))) yield return $"samples/{Path.GetFileName(sample)}/README.md";
    }

    internal static List<(int Line, string Code, bool Fragment)> Blocks(string markdown)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var blocks = new List<(int, string, bool)>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```csharp", StringComparison.Ordinal)) continue;
            bool fragment = i > 0 && lines[i - 1].StartsWith(FragmentMarker, StringComparison.Ordinal);
            int start = i + 1;
            int end = start;
            while (end < lines.Length && !lines[end].StartsWith("```", StringComparison.Ordinal)) end++;
            blocks.Add((i + 1, string.Join("\n", lines[start..end]), fragment));
            i = end;
        }
        return blocks;
    }

    [Fact]
    public void TheReadmeHasAtLeastOneCompleteProgram() => Assert.Contains(CompleteBlocks(), b => (string)b[0] == "README.md");

    [Fact]
    public void TheDocsPagesHaveCompletePrograms() => Assert.Contains(CompleteBlocks(), b => ((string)b[0]).StartsWith("docs/", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(CompleteBlocks))]
    public void EveryCompleteBlockCompilesAsTheProgramOfAConsoleProject(string file, int line, string code)
    {
        string program = string.Join("\n", code.Split('\n').Where(l => !l.StartsWith("#:", StringComparison.Ordinal)));
        var result = GeneratorHarness.Run(new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable), program, ImplicitUsings);
        Assert.Empty(result.Diagnostics);
        var problems = result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, $"{file}: the block at line {line} does not compile cleanly:\n" + string.Join("\n", problems.Take(10)));
    }

    [Fact]
    public void TheCheckRejectsTheOldMinimalExampleWhereTheClassPrecedesTheStatements()
    {
        const string classFirst = """
            using CompiledNet;
            [Network(Input = 2, BatchSize = 4)]
            [Dense(2, Activation.Softmax)]
            [Loss(LossKind.SoftmaxCrossEntropy)]
            partial class Net { }
            var net = new Net(seed: 1);
            """;
        var result = GeneratorHarness.Run(new CSharpCompilationOptions(OutputKind.ConsoleApplication), classFirst, ImplicitUsings);
        Assert.Contains(result.Output.GetDiagnostics(), d => d.Id == "CS8803");
    }
}
