namespace CompiledNet.Bench;

internal static class Extensions
{
    public static double RunEpochLoss<TNet>(this EpochTrainer<TNet> trainer) where TNet : ITrainable => trainer.RunEpoch().MeanLoss;
}
