using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace CompiledNet.Tests.Generator;

/// <summary>
/// Snapshot assertions in the manner of Verify (which cannot be restored here): the expected text is a committed
/// <c>Snapshots/NAME.verified.cs</c> beside the tests. On a mismatch the actual text is written to
/// <c>NAME.received.cs</c> next to it and the test fails with a line diff. Set CNET_ACCEPT_SNAPSHOTS=1 to write the
/// actual text as the new verified file instead.
/// </summary>
public static class SnapshotAssert
{
    public const string AcceptVariable = "CNET_ACCEPT_SNAPSHOTS";

    public static void Matches(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(callerPath)!)!, "Snapshots");
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, actual, new UTF8Encoding(false));
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        string expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : "";
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual, new UTF8Encoding(false));
        throw new XunitException(
            (File.Exists(verified) ? $"Generated source differs from {verified}" : $"No snapshot {verified} yet")
            + $"\nActual text written to {received}. Review it, then rerun with {AcceptVariable}=1 to accept.\n"
            + Diff(expected, actual));
    }

    private static string Diff(string expected, string actual)
    {
        var model = InlineDiffBuilder.Diff(expected, actual);
        var text = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < model.Lines.Count && shown < 80; i++)
        {
            var line = model.Lines[i];
            if (line.Type == ChangeType.Unchanged) continue;
            text.Append(line.Type == ChangeType.Inserted ? "+ " : "- ").Append("line ").Append(line.Position?.ToString() ?? "?").Append(": ").AppendLine(line.Text);
            shown++;
        }
        return text.ToString();
    }
}
