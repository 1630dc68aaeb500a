using System;
using System.Globalization;

namespace Serve;

/// <summary>Command-line numbers, refused with the option's name and the value given.</summary>
internal static class Args
{
    public static int Int(string option, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
            ? n : throw new ArgumentException($"{option} expects a whole number, not '{value}'.");

    public static double Double(string option, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x)
            ? x : throw new ArgumentException($"{option} expects a number, not '{value}'.");
}
