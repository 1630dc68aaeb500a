using System.Globalization;

namespace CompiledNet.Generator
{
    /// <summary>
    /// Every number the generator writes, in the invariant culture whatever the build machine's culture: as a C#
    /// literal in code, or as plain text in comments and messages.
    /// </summary>
    internal static class Literals
    {
        /// <summary>An int as C# writes it: 1234.</summary>
        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A float literal that round-trips: 0.05f.</summary>
        public static string Float(float value) => Number(value) + "f";

        /// <summary>A float in prose (comments, architecture text, the checkpoint fingerprint): 0.05, round-tripping.</summary>
        public static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        public static string Bool(bool value) => value ? "true" : "false";

        /// <summary>
        /// A new float buffer of the network (its length a C# expression): pinned, its first element on a 64-byte line
        /// (CompilerServices.AlignedBuffer), so that no vector load or store of its rows straddles two cache lines.
        /// </summary>
        public static string NewBuffer(string length) => $"global::CompiledNet.CompilerServices.AlignedBuffer.Allocate({length})";
    }
}
