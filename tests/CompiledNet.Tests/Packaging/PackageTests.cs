using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace CompiledNet.Tests.Packaging;

/// <summary>
/// Packs the CompiledNet package into a local folder feed, then builds and runs a fresh consumer project that
/// references it by PackageReference only, declares a network and trains it a few steps.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-pack-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "CompiledNet.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("CompiledNet.sln not found above " + AppContext.BaseDirectory);
    }

    internal static (int Code, string Output) Run(string workingDirectory, string arguments, params (string, string)[] environment)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(true); throw new TimeoutException("dotnet " + arguments); }
        return (process.ExitCode, stdout + stderr.Result);
    }

    /// <summary>The four projects of the package, the README and the shared build properties, without bin/ and obj/.</summary>
    internal static string CopySources(string target)
    {
        string root = RepositoryRoot();
        foreach (string file in new[] { "Directory.Build.props", "Directory.Packages.props", "src/Directory.Build.props" })
            if (File.Exists(Path.Combine(root, file))) { Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, file))!); File.Copy(Path.Combine(root, file), Path.Combine(target, file)); }
        foreach (string project in new[] { "Attributes", "Generator", "CodeFixes", "Runtime" })
        {
            string from = Path.Combine(root, "src", project);
            foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(from, file);
                string first = relative.Split(Path.DirectorySeparatorChar)[0];
                if (first is "bin" or "obj") continue;
                string destination = Path.Combine(target, "src", project, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }
        }
        return target;
    }

    [Fact]
    public void PackedPackageWorksForAFreshConsumerByPackageReferenceAlone()
    {
        string feed = Path.Combine(_dir, "feed");
        string version = "0.0.1-test" + DateTime.UtcNow.Ticks;
        // Pack from a copy of the sources: packing in the repository would rebuild src/*/bin with the test version
        // while the rest of the solution's build and tests use those files.
        string sources = CopySources(Path.Combine(_dir, "repository"));
        var (packCode, packOutput) = Run(sources, $"pack src/Runtime/CompiledNet.Runtime.csproj -c Release -o \"{feed}\" -p:Version={version}");
        Assert.True(packCode == 0, packOutput);

        string package = Path.Combine(feed, $"CompiledNet.{version}.nupkg");
        using (var zip = ZipFile.OpenRead(package))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("lib/net8.0/CompiledNet.dll", names);
            Assert.Contains("lib/net8.0/CompiledNet.Attributes.dll", names);
            Assert.Contains("analyzers/dotnet/roslyn4.8/cs/CompiledNet.Generator.dll", names);
            Assert.Contains("analyzers/dotnet/roslyn4.8/cs/CompiledNet.CodeFixes.dll", names);
            Assert.Contains("buildTransitive/CompiledNet.targets", names);
            Assert.Contains("PACKAGE.md", names);
            Assert.Contains("icon.png", names);
            string nuspec = new StreamReader(zip.GetEntry("CompiledNet.nuspec")!.Open()).ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains("<readme>PACKAGE.md</readme>", nuspec);
            Assert.Contains("<icon>icon.png</icon>", nuspec);
            Assert.Contains("<projectUrl>https://github.com/compiled-net/compiled-net</projectUrl>", nuspec);
            Assert.Contains("<repository type=\"git\" url=\"https://github.com/compiled-net/compiled-net\"", nuspec);
            Assert.Contains("<copyright>", nuspec);
            Assert.Contains("<releaseNotes>", nuspec);
            Assert.DoesNotContain("CompiledNet.Attributes\"", nuspec); // no dependency on an unpublished package
        }

        string consumer = Path.Combine(_dir, "consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="CompiledNet" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        // The consumer's program is the example of the package's own readme, as a user would paste it.
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), PackageReadmeExample());
        // And the public names a user programs against, compiled against the package alone.
        File.WriteAllText(Path.Combine(consumer, "PublicNames.cs"), """
            using CompiledNet;

            static class PublicNames
            {
                public static ClassificationMetrics TrainAndMeasure(Dataset train, Dataset test, Dataset validation, string checkpoint)
                {
                    var net = new Xor(seed: 7L);
                    ICompiledNetwork compiled = net;
                    LayerDescription first = compiled.Layers[0];
                    int? bias = first.BiasOffset;
                    TrainingResult result = Trainer.Train(net, train, new TrainingOptions { Epochs = 2, TestData = test, ValidationData = validation },
                        new SynchronousProgress<EpochReport>(r => System.Console.WriteLine($"{r.Epoch}: {r.TestAccuracy} {r.ValidationLoss} {bias}")));
                    GradientClipping.ClipByNorm(net.Gradients, 1f);
                    Checkpoint.Save(compiled, checkpoint);
                    CheckpointInfo info = Checkpoint.ReadInfo(checkpoint);
                    return info.Epoch is null ? Evaluator.Evaluate(net, test) : default;
                }
            }
            """);
        var (runCode, runOutput) = Run(consumer, "run -c Release", ("NUGET_PACKAGES", Path.Combine(_dir, "packages")));
        Assert.True(runCode == 0, runOutput);
        Assert.Contains("0 XOR 0 = 0", runOutput);
        Assert.Contains("0 XOR 1 = 1", runOutput);
        Assert.Contains("1 XOR 0 = 1", runOutput);
        Assert.Contains("1 XOR 1 = 0", runOutput);
        Assert.DoesNotContain("CS8032", runOutput); // the compiler found nothing to instantiate in the code-fix assembly

        ConsumerBuildShowsEachDeclarationDiagnosticOnce(consumer);
        PackedCodeFixesFixTheAnalyzersDiagnostics(package);
    }

    /// <summary>
    /// The same consumer with a declaration that has no loss and one that earns training advice, and an .editorconfig
    /// that silences the advice: the build fails with the analyzer's CNET0010 exactly once (the generator reports
    /// nothing of its own and emits nothing for it), no compiler error follows from the missing code, and no CNET0019.
    /// Built again without analyzers, the generator reports CNET0010 instead, once.
    /// </summary>
    private void ConsumerBuildShowsEachDeclarationDiagnosticOnce(string consumer)
    {
        File.WriteAllText(Path.Combine(consumer, "Mistakes.cs"), """
            using CompiledNet;

            [Network(Input = 2)]
            [Dense(1, Activation.Sigmoid)]
            internal partial class NoLoss { }

            [Network(Input = 2)]
            [Dense(1, Activation.Sigmoid)]
            [Loss(LossKind.Quadratic)]
            internal partial class Advised { }
            """);
        File.WriteAllText(Path.Combine(consumer, ".editorconfig"), """
            root = true

            [*.cs]
            dotnet_analyzer_diagnostic.category-CompiledNet.Training.severity = none
            """);
        try
        {
            // The compiler's own log (SARIF) lists each diagnostic it reported once; the console prints errors twice
            // (as they occur and in the closing summary).
            string sarif = Path.Combine(_dir, "analyzers-on.sarif");
            var (code, output) = Run(consumer, $"build -c Release -tl:off -p:ErrorLog={sarif}", ("NUGET_PACKAGES", Path.Combine(_dir, "packages")));
            Assert.True(code != 0, output);
            var lines = output.Split('\n');
            Assert.Equal(new[] { "CNET0010" }, ReportedIds(sarif).Where(id => id.StartsWith("CNET", StringComparison.Ordinal)));
            Assert.Contains(lines, line => line.Contains("Mistakes.cs(3,2): error CNET0010: The network 'NoLoss' needs a [Loss(...)] attribute", StringComparison.Ordinal));
            Assert.DoesNotContain("CNET0019", output);
            Assert.DoesNotContain(lines, line => line.Contains(": error CS", StringComparison.Ordinal));
            Assert.DoesNotContain("AD0001", output); // the analyzer loaded and ran without an exception
            Assert.DoesNotContain("CS8032", output);

            // A build that runs no analyzer: the generator reports the declaration's diagnostic in its place, once.
            string quickSarif = Path.Combine(_dir, "analyzers-off.sarif");
            var (quickCode, quickOutput) = Run(consumer, $"build -c Release -tl:off -p:RunAnalyzers=false -p:ErrorLog={quickSarif}", ("NUGET_PACKAGES", Path.Combine(_dir, "packages")));
            Assert.True(quickCode != 0, quickOutput);
            var quickLines = quickOutput.Split('\n');
            // Without analyzers the category setting does not apply (the compiler applies it to analyzers only): the advice shows too.
            Assert.Equal(new[] { "CNET0010", "CNET0019" }, ReportedIds(quickSarif).Where(id => id.StartsWith("CNET", StringComparison.Ordinal)).OrderBy(id => id, StringComparer.Ordinal));
            Assert.Contains(quickLines, line => line.Contains("Mistakes.cs(3,2): error CNET0010: The network 'NoLoss' needs a [Loss(...)] attribute", StringComparison.Ordinal));
            Assert.DoesNotContain(quickLines, line => line.Contains(": error CS", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(Path.Combine(consumer, "Mistakes.cs"));
            File.Delete(Path.Combine(consumer, ".editorconfig"));
        }
    }

    /// <summary>
    /// What an IDE does with the package's analyzers folder: loads both assemblies, runs the analyzer and the generator,
    /// finds the code fixes exported for the analyzer's diagnostics and applies one. Here: a network without [Loss] and
    /// a Sigmoid output.
    /// </summary>
    private void PackedCodeFixesFixTheAnalyzersDiagnostics(string package)
    {
        string folder = Path.Combine(_dir, "analyzers");
        Directory.CreateDirectory(folder);
        string attributes = Path.Combine(_dir, "CompiledNet.Attributes.dll");
        using (var zip = ZipFile.OpenRead(package))
        {
            foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("analyzers/dotnet/roslyn4.8/cs/", StringComparison.Ordinal)))
                entry.ExtractToFile(Path.Combine(folder, entry.Name));
            zip.GetEntry("lib/net8.0/CompiledNet.Attributes.dll")!.ExtractToFile(attributes);
        }

        // Their own load context, as an IDE loads analyzers; Roslyn itself comes from the host (this test's 4.14).
        var context = new AssemblyLoadContext("packed analyzers");
        var generatorAssembly = context.LoadFromAssemblyPath(Path.Combine(folder, "CompiledNet.Generator.dll"));
        var fixesAssembly = context.LoadFromAssemblyPath(Path.Combine(folder, "CompiledNet.CodeFixes.dll"));
        var generator = (IIncrementalGenerator)Activator.CreateInstance(
            generatorAssembly.GetTypes().Single(t => t.GetCustomAttribute<GeneratorAttribute>() != null))!;
        var analyzer = (DiagnosticAnalyzer)Activator.CreateInstance(
            generatorAssembly.GetTypes().Single(t => t.GetCustomAttribute<DiagnosticAnalyzerAttribute>()?.Languages.Contains(LanguageNames.CSharp) == true))!;
        var fixers = fixesAssembly.GetTypes()
            .Where(t => t.GetCustomAttribute<ExportCodeFixProviderAttribute>()?.Languages.Contains(LanguageNames.CSharp) == true)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();
        Assert.Equal(
            new[] { "CNET0001", "CNET0003", "CNET0010", "CNET0011", "CNET0017", "CNET0019", "CNET0024", "CNET0025", "CNET0027", "CNET0029" },
            fixers.SelectMany(f => f.FixableDiagnosticIds).OrderBy(id => id, StringComparer.Ordinal));
        // Every fixable id is one the packed analyzer reports.
        Assert.Empty(fixers.SelectMany(f => f.FixableDiagnosticIds).Except(analyzer.SupportedDiagnostics.Select(d => d.Id)));

        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = Directory.EnumerateFiles(framework, "*.dll")
            .Where(p => ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Contains(p))
            .Append(attributes)
            .Select(p => MetadataReference.CreateFromFile(p));
        using var workspace = new AdhocWorkspace();
        var document = workspace.CurrentSolution
            .AddProject("Consumer", "Consumer", LanguageNames.CSharp)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
            .AddMetadataReferences(references)
            .AddDocument("Net.cs", SourceText.From("""
                using CompiledNet;

                [Network(Input = 2)]
                [Dense(4, Activation.Tanh)]
                [Dense(1, Activation.Sigmoid)]
                public partial class Net { }
                """), filePath: "Net.cs");
        var compilation = document.Project.GetCompilationAsync().Result!;
        var run = CSharpGeneratorDriver.Create(generator).RunGenerators(compilation).GetRunResult();
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.GeneratedTrees);
        var diagnostic = Assert.Single(compilation.WithAnalyzers(ImmutableArray.Create(analyzer)).GetAnalyzerDiagnosticsAsync().Result);
        Assert.Equal("CNET0010", diagnostic.Id);

        var actions = new List<CodeAction>();
        var fixContext = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        foreach (var fixer in fixers.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
            fixer.RegisterCodeFixesAsync(fixContext).Wait();
        var offered = Assert.Single(actions);
        Assert.Equal("Add [Loss(LossKind.LogLoss)] for the Sigmoid output layer", offered.Title);
        var apply = offered.GetOperationsAsync(CancellationToken.None).Result.OfType<ApplyChangesOperation>().Single();
        string fixedText = apply.ChangedSolution.GetDocument(document.Id)!.GetTextAsync().Result.ToString();
        Assert.Equal("""
            using CompiledNet;

            [Network(Input = 2)]
            [Dense(4, Activation.Tanh)]
            [Dense(1, Activation.Sigmoid)]
            [Loss(LossKind.LogLoss)]
            public partial class Net { }
            """, fixedText);
    }

    /// <summary>The rule id of every result in a SARIF log written by the compiler (-p:ErrorLog), in order.</summary>
    private static List<string> ReportedIds(string sarif)
    {
        using var log = System.Text.Json.JsonDocument.Parse(File.ReadAllText(sarif));
        return log.RootElement.GetProperty("runs").EnumerateArray()
            .SelectMany(run => run.TryGetProperty("results", out var results) ? results.EnumerateArray() : Enumerable.Empty<System.Text.Json.JsonElement>())
            .Select(result => result.GetProperty("ruleId").GetString()!)
            .ToList();
    }

    private static string PackageReadmeExample()
    {
        string text = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Runtime", "PACKAGE.md"));
        int start = text.IndexOf("```csharp\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "PACKAGE.md has no C# example");
        start += "```csharp\n".Length;
        int end = text.IndexOf("```", start, StringComparison.Ordinal);
        return text.Substring(start, end - start);
    }
}
