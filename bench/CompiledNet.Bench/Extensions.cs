namespace CompiledNet.Bench;

internal static class Extensions
{
    public static double RunEpochLoss<TNet>(this EpochTrainer<TNet> trainer) where TNet : ITrainable => trainer.RunEpoch().MeanLoss;

    /// <summary>This program started again as a child process with <paramref name="arguments"/> (through <c>dotnet</c> when it runs as a .dll).</summary>
    public static System.Diagnostics.ProcessStartInfo ChildOfThisProgram(params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(System.Environment.ProcessPath!) { UseShellExecute = false };
        if (System.IO.Path.GetFileNameWithoutExtension(System.Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(Extensions).Assembly.Location);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }
}
