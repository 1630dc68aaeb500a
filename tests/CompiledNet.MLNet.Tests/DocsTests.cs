using System;
using System.IO;
using System.Linq;
using Xunit;

namespace CompiledNet.MLNet.Tests;

/// <summary>
/// docs/onnx-and-interop.md shows the ML.NET code of <see cref="MLNetInteropTests"/>. The block cannot be compiled by
/// the main project's snippet test (it needs ML.NET), so this test checks that every statement and declaration line
/// of it is a line of MLNetInteropTests.cs, which is compiled and run.
/// </summary>
public class DocsTests
{
    private const string Page = "docs/onnx-and-interop.md";
    private const string Heading = "## Running the export in ML.NET";

    [Fact]
    public void TheMLNetBlockOfTheInteropPageIsCodeTheInteropTestsRun()
    {
        string root = RepositoryRoot();
        string[] page = File.ReadAllLines(Path.Combine(root, Page));
        int heading = Array.IndexOf(page, Heading);
        Assert.True(heading >= 0, $"{Page} has no line \"{Heading}\"");
        int open = Array.FindIndex(page, heading, l => l.StartsWith("```csharp", StringComparison.Ordinal));
        Assert.True(open > heading, $"{Page}: no ```csharp block after \"{Heading}\"");
        int close = Array.FindIndex(page, open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        var shown = page[(open + 1)..close].Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(shown);

        var source = File.ReadAllLines(Path.Combine(root, "tests", "CompiledNet.MLNet.Tests", "MLNetInteropTests.cs")).Select(l => l.Trim()).ToHashSet();
        var missing = shown.Where(l => !source.Contains(l)).ToList();
        Assert.True(missing.Count == 0, $"{Page} shows lines that MLNetInteropTests.cs does not run:\n" + string.Join("\n", missing));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CompiledNet.sln"))) return dir.FullName;
        throw new FileNotFoundException("CompiledNet.sln was not found above " + AppContext.BaseDirectory);
    }
}
