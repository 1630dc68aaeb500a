using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace CompiledNet.CodeFixes.Tests;

public class DocumentationTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "CompiledNet.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("CompiledNet.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// docs/diagnostics.md's last column says for every id whether a fix is offered ("—" and why not): it must name a
    /// fix exactly for the ids that an exported code-fix provider claims.
    /// </summary>
    [Fact]
    public void FixOfferedColumnMatchesTheExportedFixers()
    {
        var fixable = typeof(MakePartialCodeFixProvider).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<ExportCodeFixProviderAttribute>() != null)
            .SelectMany(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds)
            .ToHashSet();
        var rows = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"))
            .Where(line => line.StartsWith("| <a id=\"cnet", StringComparison.Ordinal))
            .Select(line =>
            {
                string id = line.Substring("| <a id=\"".Length, "cnet0000".Length).ToUpperInvariant();
                string row = line.TrimEnd().TrimEnd('|').TrimEnd();
                string lastCell = row.Substring(row.LastIndexOf(" | ", StringComparison.Ordinal) + 3).Trim();
                return (Id: id, Fix: lastCell);
            })
            .ToList();

        Assert.NotEmpty(rows);
        foreach (var (id, fix) in rows)
        {
            bool documentedAsFixed = !fix.StartsWith("—", StringComparison.Ordinal);
            Assert.True(documentedAsFixed == fixable.Contains(id),
                $"{id}: docs/diagnostics.md says \"{fix}\", but a fixer {(fixable.Contains(id) ? "exists" : "does not exist")}");
        }
        Assert.Empty(fixable.Except(rows.Select(r => r.Id)));
    }
}
