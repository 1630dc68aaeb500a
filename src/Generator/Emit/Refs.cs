using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>Element addresses of a <c>ref float</c>, written the way a person would: no <c>+ 0</c>, no <c>Unsafe.Add(ref r, 0)</c>.</summary>
    internal static class Refs
    {
        /// <summary>The element <paramref name="index"/> places after ref <paramref name="reference"/> (the ref itself for 0).</summary>
        public static string At(string reference, int index)
            => index == 0 ? reference : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {reference}, {Int(index)})";

        /// <summary>The element at the index expression <paramref name="index"/> after ref <paramref name="reference"/>.</summary>
        public static string At(string reference, string index)
            => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {reference}, {index})";

        /// <summary>
        /// A loop of <paramref name="variable"/> over [0, <paramref name="count"/>), or for a single element its body
        /// alone (no one-iteration loop). The body writes element addresses through the function it is given.
        /// </summary>
        public static void Over(IndentedWriter w, string variable, int count, System.Action<System.Func<string, string>> body)
        {
            if (count == 1)
            {
                body(reference => reference);
                return;
            }
            using (w.Open($"for (nuint {variable} = 0; {variable} < {Int(count)}; {variable}++)"))
                body(reference => At(reference, variable));
        }

        /// <summary>An index: <paramref name="variable"/> + <paramref name="offset"/>, either part left out when absent or 0.</summary>
        public static string Index(string? variable, int offset)
            => variable is null ? Int(offset) : offset == 0 ? variable : $"{variable} + {Int(offset)}";

        /// <summary><paramref name="expression"/> + the index (<paramref name="variable"/> + <paramref name="offset"/>), without a "+ 0".</summary>
        public static string Plus(string expression, string? variable, int offset)
            => variable is null && offset == 0 ? expression : $"{expression} + {Index(variable, offset)}";
    }
}
