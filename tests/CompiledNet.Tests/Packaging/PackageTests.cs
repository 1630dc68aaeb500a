using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
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

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "CompiledNet.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("CompiledNet.sln not found above " + AppContext.BaseDirectory);
    }

    private static (int Code, string Output) Run(string workingDirectory, string arguments, params (string, string)[] environment)
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

    /// <summary>The three projects of the package, the README and the shared build properties, without bin/ and obj/.</summary>
    private static string CopySources(string target)
    {
        string root = RepositoryRoot();
        foreach (string file in new[] { "Directory.Build.props", "src/Directory.Build.props" })
            if (File.Exists(Path.Combine(root, file))) { Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, file))!); File.Copy(Path.Combine(root, file), Path.Combine(target, file)); }
        foreach (string project in new[] { "Attributes", "Generator", "Runtime" })
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
            Assert.Contains("buildTransitive/CompiledNet.targets", names);
            Assert.Contains("PACKAGE.md", names);
            string nuspec = new StreamReader(zip.GetEntry("CompiledNet.nuspec")!.Open()).ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains("<readme>PACKAGE.md</readme>", nuspec);
            Assert.Contains("<projectUrl>https://github.com/compiled-net/compiled-net</projectUrl>", nuspec);
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
        var (runCode, runOutput) = Run(consumer, "run -c Release", ("NUGET_PACKAGES", Path.Combine(_dir, "packages")));
        Assert.True(runCode == 0, runOutput);
        Assert.Contains("0 XOR 0 = 0", runOutput);
        Assert.Contains("0 XOR 1 = 1", runOutput);
        Assert.Contains("1 XOR 0 = 1", runOutput);
        Assert.Contains("1 XOR 1 = 0", runOutput);
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
