using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CompiledNet.Tests.Packaging;
using Xunit;

namespace CompiledNet.Tests.Docs;

/// <summary>
/// The README's quick start, done as it says: pack the package into a local folder, save the README's program as
/// train.cs with the line that names that folder, and run it with <c>dotnet run train.cs</c> (a .NET 10 file-based app).
/// </summary>
public sealed class FileBasedAppTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-filebased-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string QuickStart()
    {
        string readme = File.ReadAllText(Path.Combine(PackageTests.RepositoryRoot(), "README.md"));
        var block = ReadmeSnippetTests.Blocks(readme).FirstOrDefault(b => b.Code.StartsWith("#:package CompiledNet@", StringComparison.Ordinal));
        Assert.True(block.Code is not null, "README.md has no ```csharp block that starts with '#:package CompiledNet@'");
        return block.Code + "\n";
    }

    [Fact]
    public void TheQuickStartNamesThePackageVersionThisRepositoryBuilds()
    {
        string project = File.ReadAllText(Path.Combine(PackageTests.RepositoryRoot(), "src", "Runtime", "CompiledNet.Runtime.csproj"));
        string version = Regex.Match(project, "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.StartsWith($"#:package CompiledNet@{version}\n", QuickStart());
    }

    [Fact]
    public void TheQuickStartRunsAsAFileBasedAppAgainstALocallyPackedPackage()
    {
        string feed = Path.Combine(_dir, "feed");
        var (packCode, packOutput) = PackageTests.Run(PackageTests.CopySources(Path.Combine(_dir, "repository")),
            $"pack src/Runtime/CompiledNet.Runtime.csproj -c Release -o \"{feed}\"");
        Assert.True(packCode == 0, packOutput);

        // What the README's install section says to add while the package is not published: a second line naming the feed.
        var lines = QuickStart().Split('\n').ToList();
        lines.Insert(1, $"#:property RestoreAdditionalProjectSources={feed}");
        string app = Path.Combine(_dir, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "train.cs"), string.Join("\n", lines));

        // The program reads the data folder named by its first argument. A small folder in Fashion-MNIST's layout keeps
        // the run short and independent of an installed data set: 256 training and 64 test images of 28×28 seeded
        // noise with labels 0–9 (what is tested is the program, not what it learns).
        string data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        var random = new Random(1);
        foreach (var (prefix, count) in new[] { ("train", 256), ("t10k", 64) })
        {
            var pixels = new byte[count * 28 * 28];
            random.NextBytes(pixels);
            IdxFile.Write(Path.Combine(data, $"{prefix}-images-idx3-ubyte.gz"), new IdxArray(new[] { count, 28, 28 }, pixels), gzip: true);
            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            IdxFile.Write(Path.Combine(data, $"{prefix}-labels-idx1-ubyte.gz"), new IdxArray(new[] { count }, labels), gzip: true);
        }

        var (code, output) = PackageTests.Run(app, $"run train.cs -- \"{data}\"", ("NUGET_PACKAGES", Path.Combine(_dir, "packages")));
        Assert.True(code == 0, output);
        Assert.Contains("epoch 5: loss ", output);
        Assert.Contains(FashionMnist.ClassNames, name => output.Contains("first test image: " + name, StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(app, "fashion.ckpt")), output);
    }
}
