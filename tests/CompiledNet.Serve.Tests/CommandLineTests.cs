using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace CompiledNet.Serve.Tests;

/// <summary>
/// The Serve program's command line, run as a child process: --help lists the three commands and each command's
/// options; a mistyped command or value is refused with a message that names it, exit code 2 and no stack trace.
/// None of these starts the service.
/// </summary>
public class CommandLineTests
{
    internal static (int Code, string Out, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Serve.dll"));
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["LC_ALL"] = "C";   // System.CommandLine's own messages in English
        start.Environment["LANG"] = "C";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1))) { process.Kill(true); throw new TimeoutException(string.Join(' ', arguments)); }
        return (process.ExitCode, output, error.Result);
    }

    private static void AssertRefused((int Code, string Out, string Error) run, string expected)
    {
        Assert.Equal(2, run.Code);
        Assert.Contains(expected, run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.DoesNotContain("Unhandled", run.Error);
    }

    [Fact]
    public void HelpListsTheThreeCommands()
    {
        var run = Run("--help");
        Assert.Equal(0, run.Code);
        foreach (string command in new[] { "serve", "classify", "load-test" }) Assert.Contains("  " + command, run.Out);
        Assert.Contains("--checkpoint <FILE>", run.Out);
    }

    [Theory]
    [InlineData("classify", "--count <N>")]
    [InlineData("load-test", "--clients <N>")]
    [InlineData("serve", "--url <URL>")]
    public void EachCommandHasItsOwnHelp(string command, string option)
    {
        var run = Run(command, "--help");
        Assert.Equal(0, run.Code);
        Assert.Contains(option, run.Out);
    }

    [Fact]
    public void AMistypedCommandIsRefusedByName() => AssertRefused(Run("clasify"), "Unknown command 'clasify'");

    [Fact]
    public void AValueThatIsNotANumberIsRefusedWithTheOptionAndTheValue()
        => AssertRefused(Run("classify", "--count", "x"), "--count expects a whole number, not 'x'.");

    [Fact]
    public void AnOptionWithoutItsValueIsRefused() => AssertRefused(Run("--checkpoint"), "'--checkpoint'");

    [Fact]
    public void AnUnknownServiceOptionIsRefusedByName() => AssertRefused(Run("serve", "--checkpiont", "x"), "Unknown option '--checkpiont'.");
}
