using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using CompiledNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CompiledNet.Bench;

/// <summary>
/// What a declaration costs before it runs: the generator's time per network (a full run of the incremental
/// generator on a one-file compilation, median of 20 after 5 warm-ups), the generated source's size, the largest
/// generated method's IL, and the JIT's time to the first Predict (measured first thing in a fresh process).
/// </summary>
public static class CompileCost
{
    /// <summary>Time of the first construction + Predict of network B, and of the second (steady state), in this process.</summary>
    public static (double FirstMs, double SecondUs) FirstPredict()
    {
        var x = new float[784];
        var y = new float[10];
        var watch = Stopwatch.StartNew();
        var net = new NetB(1);
        net.Predict(x, y);
        double first = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        net.Predict(x, y);
        return (first, watch.Elapsed.TotalMicroseconds);
    }

    public static IEnumerable<string> Report()
    {
        string declarations = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Networks.cs"));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(NetworkAttribute).Assembly.Location).Append(typeof(ITrainable).Assembly.Location)
            .Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
        foreach (var name in new[] { "NetA", "NetB", "NetC" })
        {
            // One network per compilation: its declaration block from Networks.cs.
            int start = declarations.IndexOf("/// <summary>" + name.Substring(3) + ":", StringComparison.Ordinal);
            int end = declarations.IndexOf("{ }", start, StringComparison.Ordinal) + 3;
            string source = "using CompiledNet;\n" + declarations[start..end];
            var compilation = CSharpCompilation.Create("Cost", new[] { CSharpSyntaxTree.ParseText(source) }, references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var times = new List<double>();
            string generated = "";
            for (int run = 0; run < 25; run++)
            {
                GeneratorDriver driver = CSharpGeneratorDriver.Create(new NetworkGenerator());
                var watch = Stopwatch.StartNew();
                driver = driver.RunGenerators(compilation);
                var result = driver.GetRunResult();
                if (run >= 5) times.Add(watch.Elapsed.TotalMilliseconds);
                generated = string.Concat(result.GeneratedTrees.Select(t => t.ToString()));
            }
            times.Sort();
            var type = typeof(NetA).Assembly.GetType(name)!;
            var largest = type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Select(m => (m.Name, Il: m.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0)).MaxBy(m => m.Il);
            yield return string.Create(CultureInfo.InvariantCulture,
                $"| {name.Substring(3)} | {times[times.Count / 2]:F1} ms | {generated.Length / 1024.0:F0} KiB, {generated.Count(c => c == '\n'):N0} lines | {largest.Name}: {largest.Il:N0} bytes |");
        }
    }
}
