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
/// What the README shows a user to type must compile as shown: every ```csharp block is compiled as the Program.cs of
/// a new console project (implicit usings on, the generator running), unless the line before it marks it as a fragment.
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
        => Blocks(ReadReadme()).Where(b => !b.Fragment).Select(b => new object[] { b.Line, b.Code });

    private static string ReadReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var readme = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(readme) && File.Exists(Path.Combine(dir.FullName, "CompiledNet.sln"))) return File.ReadAllText(readme);
        }
        throw new FileNotFoundException("README.md beside CompiledNet.sln was not found above " + AppContext.BaseDirectory);
    }

    private static List<(int Line, string Code, bool Fragment)> Blocks(string markdown)
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
    public void TheReadmeHasAtLeastOneCompleteProgram() => Assert.NotEmpty(CompleteBlocks());

    [Theory]
    [MemberData(nameof(CompleteBlocks))]
    public void EveryCompleteReadmeBlockCompilesAsTheProgramOfAConsoleProject(int line, string code)
    {
        var result = GeneratorHarness.Run(new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable), code, ImplicitUsings);
        Assert.Empty(result.Diagnostics);
        var problems = result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, $"README block at line {line} does not compile cleanly:\n" + string.Join("\n", problems.Take(10)));
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
