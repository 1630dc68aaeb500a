using System;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Threading.Tasks;
using CompiledNet;

namespace CompiledNet.Samples;

/// <summary>
/// The options the samples share, built on System.CommandLine: typed values read with the invariant culture, ranges
/// checked while parsing, so a mistyped value is a one-line message naming the option and the value (exit code 2),
/// never an exception. An option given more than once takes its last value, so a script can pass defaults before
/// the user's arguments (samples/Serve/run.sh does).
/// </summary>
internal static class SampleCommandLine
{
    /// <summary>The exit code of a command line that does not parse (the samples' runtime failures, such as missing data, exit with 1).</summary>
    public const int UsageError = 2;

    public static Option<string> Data() => Text("--data", "folder with the four Fashion-MNIST IDX files (plain or .gz)", "DIR", FashionMnist.DefaultDirectory);

    public static Option<string> Out(string writes) => Text("--out", $"folder for {writes} (created when missing)", "DIR", ".");

    /// <summary>A string option; with <paramref name="defaultValue"/> null it has no default.</summary>
    public static Option<string> Text(string name, string description, string helpName, string? defaultValue = null)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = helpName,
            Arity = ArgumentArity.OneOrMore,
            CustomParser = result => result.Tokens[^1].Value,
        };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    /// <summary>
    /// A whole number in [<paramref name="min"/>, <paramref name="max"/>]; with <paramref name="defaultValue"/> null the
    /// option has no default. With <paramref name="whenGivenAlone"/> the value may be left out (`--curriculum` alone).
    /// </summary>
    public static Option<int> Int(string name, string description, string helpName, int? defaultValue, int min = 1, int max = int.MaxValue, int? whenGivenAlone = null)
    {
        var option = new Option<int>(name)
        {
            Description = description,
            HelpName = helpName,
            Arity = whenGivenAlone is null ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore,
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0) return whenGivenAlone ?? 0;
                string token = result.Tokens[^1].Value;
                if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
                {
                    result.AddError($"{name} expects a whole number, not '{token}'.");
                    return 0;
                }
                if (value < min || value > max)
                    result.AddError(max == int.MaxValue
                        ? $"{name} must be at least {min}, not {value}."
                        : $"{name} must be {min} to {max}, not {value}.");
                return value;
            },
        };
        if (defaultValue is int d) option.DefaultValueFactory = _ => d;
        return option;
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>], written with a decimal point.</summary>
    public static Option<float> Float(string name, string description, string helpName, float? defaultValue, float min, float max)
    {
        var option = new Option<float>(name)
        {
            Description = description,
            HelpName = helpName,
            Arity = ArgumentArity.OneOrMore,
            CustomParser = result =>
            {
                string token = result.Tokens[^1].Value;
                if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    result.AddError($"{name} expects a number such as 0.5 (with a decimal point), not '{token}'.");
                    return 0;
                }
                if (value < min || value > max)
                    result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be {min} to {max}, not {token}."));
                return value;
            },
        };
        if (defaultValue is float d) option.DefaultValueFactory = _ => d;
        return option;
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command's action. A command line that does not parse prints each
    /// problem and a pointer to --help on standard error and returns <see cref="UsageError"/>; --help prints the
    /// options and returns 0.
    /// </summary>
    public static int Run(RootCommand command, string[] args)
    {
        ParseResult parsed = command.Parse(args);
        return Refused(parsed) ? UsageError : parsed.Invoke();
    }

    /// <summary>As <see cref="Run"/>, for commands whose actions are asynchronous.</summary>
    public static Task<int> RunAsync(RootCommand command, string[] args)
    {
        ParseResult parsed = command.Parse(args);
        return Refused(parsed) ? Task.FromResult(UsageError) : parsed.InvokeAsync();
    }

    private static bool Refused(ParseResult parsed)
    {
        if (parsed.Errors.Count == 0 || parsed.Action is not ParseErrorAction) return false;
        foreach (ParseError error in parsed.Errors) Console.Error.WriteLine(error.Message);
        Console.Error.WriteLine("Run with --help to see the options.");
        return true;
    }
}
