using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace CompiledNet.Tests.Docs;

/// <summary>
/// Each training sample's command line, run as a user would run the built program (the sample's dll in a child
/// process): --help lists the options and succeeds; a mistyped command line is refused with a message that names the
/// option and the value, exit code 2 and no stack trace. None of these runs loads data or trains.
/// </summary>
public class SampleCommandLineTests
{
    /// <summary>
    /// Each sample with the option that counts its work (every sample's typo test uses it) and the option naming
    /// where it writes, which its help must show.
    /// </summary>
    public static IEnumerable<object[]> Samples() => new[]
    {
        new object[] { "FashionMnist", "--epochs", "--out <DIR>" },
        new object[] { "FashionMnistCnn", "--epochs", "--out <DIR>" },
        new object[] { "Saturation", "--epochs", "--out <DIR>" },
        new object[] { "Optimizers", "--epochs", "--out <DIR>" },
        new object[] { "Overfitting", "--epochs", "--out <DIR>" },
        new object[] { "BatchNorm", "--steps", "--out <DIR>" },
        new object[] { "Regression", "--epochs", "--out <DIR>" },
    };

    private static string SampleDll(string sample)
    {
        // The test assembly sits in tests/CompiledNet.Tests/bin/<Configuration>/<framework>/; the samples are built
        // (as project references without an assembly reference) with the same configuration and framework.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = framework.Parent!.Name;
        var dir = framework;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CompiledNet.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        string dll = Path.Combine(dir!.FullName, "samples", sample, "bin", configuration, framework.Name, sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} was not built");
        return dll;
    }

    private static (int Code, string Out, string Error) Run(string sample, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(SampleDll(sample));
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // System.CommandLine's own messages are localised by the UI culture; the C locale gives the English ones.
        start.Environment["LC_ALL"] = "C";
        start.Environment["LANG"] = "C";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1))) { process.Kill(true); throw new TimeoutException($"{sample} {string.Join(' ', arguments)}"); }
        return (process.ExitCode, output, error.Result);
    }

    private static void AssertRefused((int Code, string Out, string Error) run, string expectedMessage)
    {
        Assert.Equal(2, run.Code);
        Assert.Contains(expectedMessage, run.Error);
        Assert.Contains("--help", run.Error);
        Assert.DoesNotContain("Exception", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void HelpListsTheOptionsAndSucceeds(string sample, string countOption, string outputOption)
    {
        var run = Run(sample, "--help");
        Assert.Equal(0, run.Code);
        Assert.Contains("Usage:", run.Out);
        Assert.Contains(countOption + " <N>", run.Out);
        Assert.Contains(outputOption, run.Out);
        Assert.Equal("", run.Error);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void AValueThatIsNotANumberIsRefusedWithTheOptionAndTheValue(string sample, string countOption, string outputOption)
    {
        _ = outputOption;
        AssertRefused(Run(sample, countOption, "x"), $"{countOption} expects a whole number, not 'x'.");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void AnOptionWithoutItsValueIsRefused(string sample, string countOption, string outputOption)
    {
        _ = outputOption;
        AssertRefused(Run(sample, countOption), $"Required argument missing for option: '{countOption}'.");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void AnUnknownOptionIsRefusedByName(string sample, string countOption, string outputOption)
    {
        _ = (countOption, outputOption);
        AssertRefused(Run(sample, "--epoch", "3"), "Unrecognized command or argument '--epoch'.");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void ACountBelowOneIsRefused(string sample, string countOption, string outputOption)
    {
        _ = outputOption;
        AssertRefused(Run(sample, countOption, "0"), $"{countOption} must be at least 1, not 0.");
    }

    [Fact]
    public void ANumberWithADecimalCommaIsRefusedRatherThanMisread()
        => AssertRefused(Run("Saturation", "--rate", "0,15"), "--rate expects a number such as 0.5 (with a decimal point), not '0,15'.");

    [Fact]
    public void AChoiceOutsideTheListIsRefusedWithTheChoices()
    {
        var run = Run("FashionMnist", "--balanced", "sometimes");
        AssertRefused(run, "'sometimes'");
        Assert.Contains("undersample", run.Error);
    }
}
