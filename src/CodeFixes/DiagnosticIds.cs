namespace CompiledNet.CodeFixes
{
    /// <summary>
    /// The analyzer's diagnostic ids that a fix exists for. They are copied as strings, not shared with the generator
    /// assembly: the two assemblies load independently, and ids are stable (docs/diagnostics.md).
    /// </summary>
    internal static class DiagnosticIds
    {
        public const string NotPartial = "CNET0001";
        public const string ContainingTypeNotPartial = "CNET0003";
        public const string MissingLoss = "CNET0010";
        public const string LossDoesNotFitOutput = "CNET0011";
        public const string UnusedHyperparameter = "CNET0017";
        public const string QuadraticOnSaturatingOutput = "CNET0019";
        public const string DropoutOnOutput = "CNET0024";
        public const string MaxoutPieces = "CNET0025";
        public const string RedundantBias = "CNET0027";
        public const string StaticClass = "CNET0029";
    }
}
