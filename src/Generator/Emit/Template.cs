using System;
using System.Collections.Generic;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Statements written once and instantiated twice: for the vector body of a loop (8 floats at index j) and for its
    /// scalar tail, so the two cannot disagree. In a template, {name} is a scalar constant (its vector copy is named
    /// nameV), LOAD(r) / STORE(r, v) read and write at index j from ref r, LOADAT(r, k) / STOREAT(r, k, v) at k + j,
    /// SQRT(x) is a square root, ZERO and ONE are 0 and 1, SHRINK(w, t) is L1's shift toward zero, and FLUSH(x) is x with
    /// every element of magnitude below the step's constant <c>tiny</c> set to 0.
    /// </summary>
    internal static class Template
    {
        public static string Instantiate(string template, bool vector, IEnumerable<string> constants)
        {
            string s = template;
            foreach (var name in constants)
                s = s.Replace("{" + name + "}", vector ? name + "V" : name);
            s = s.Replace("ZERO", vector ? "global::System.Runtime.Intrinsics.Vector256<float>.Zero" : "0f");
            s = s.Replace("ONE", vector ? "global::System.Runtime.Intrinsics.Vector256<float>.One" : "1f");
            s = Replace(s, "LOADAT(", a => { var (r, k) = Two(a); return vector ? $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {r}, {k} + j)" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {r}, {k} + j)"; });
            s = Replace(s, "LOAD(", a => vector ? $"global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref {a}, j)" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {a}, j)");
            s = Replace(s, "SQRT(", a => vector ? $"global::System.Runtime.Intrinsics.Vector256.Sqrt({a})" : $"global::System.MathF.Sqrt({a})");
            s = Replace(s, "SHRINK(", a => $"global::CompiledNet.CompilerServices.Kernels.ShrinkTowardZero({a})");
            s = Replace(s, "FLUSH(", a => vector
                ? $"global::System.Runtime.Intrinsics.Vector256.AndNot({a}, global::System.Runtime.Intrinsics.Vector256.LessThan(global::System.Runtime.Intrinsics.Vector256.Abs({a}), tinyV))"
                : $"(global::System.MathF.Abs({a}) < tiny ? 0f : {a})");
            s = Replace(s, "STOREAT(", a =>
            {
                var (r, rest) = Two(a);
                var (k, v) = Two(rest);
                return vector ? $"global::System.Runtime.Intrinsics.Vector256.StoreUnsafe({v}, ref {r}, {k} + j)" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {r}, {k} + j) = {v}";
            });
            s = Replace(s, "STORE(", a =>
            {
                var (r, v) = Two(a);
                return vector ? $"global::System.Runtime.Intrinsics.Vector256.StoreUnsafe({v}, ref {r}, j)" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {r}, j) = {v}";
            });
            return s;
        }

        /// <summary>Emits <paramref name="lines"/> over [start, start + length): a vector loop, then a constant-bound scalar tail.</summary>
        public static void Loop(IndentedWriter w, int start, int length, IReadOnlyList<string> lines, IEnumerable<string> constants)
        {
            int full = length / 8 * 8;
            if (full > 0)
                using (w.Open($"for (nuint j = {Int(start)}; j < {Int(start + full)}; j += 8)"))
                    foreach (var line in lines) w.Line(Instantiate(line, true, constants));
            if (full < length)
                using (w.Open($"for (nuint j = {Int(start + full)}; j < {Int(start + length)}; j++)"))
                    foreach (var line in lines) w.Line(Instantiate(line, false, constants));
        }

        /// <summary>Declares a scalar constant or value and its vector copy.</summary>
        public static void Constant(IndentedWriter w, string name, string value, bool isConst)
        {
            if (isConst) w.Line($"const float {name} = {value};");
            else if (value != name) w.Line($"float {name} = {value};");
            w.Line($"var {name}V = global::System.Runtime.Intrinsics.Vector256.Create({name});");
        }

        /// <summary>Splits "a, b" at its first top-level comma.</summary>
        private static (string, string) Two(string s)
        {
            int depth = 0;
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] == '(') depth++;
                else if (s[i] == ')') depth--;
                else if (s[i] == ',' && depth == 0) return (s.Substring(0, i).Trim(), s.Substring(i + 1).Trim());
            }
            throw new InvalidOperationException("template needs two arguments: " + s);
        }

        /// <summary>Replaces NAME(arg) by render(arg), matching parentheses.</summary>
        private static string Replace(string s, string open, Func<string, string> render)
        {
            int from = 0, at;
            while ((at = s.IndexOf(open, from, StringComparison.Ordinal)) >= 0)
            {
                // Skip matches inside a longer name (LOAD( inside LOADAT( is already handled by ordering).
                if (at > 0 && (char.IsLetterOrDigit(s[at - 1]) || s[at - 1] == '_')) { from = at + 1; continue; }
                int depth = 1, i = at + open.Length;
                for (; i < s.Length && depth > 0; i++)
                {
                    if (s[i] == '(') depth++;
                    else if (s[i] == ')') depth--;
                }
                string arg = s.Substring(at + open.Length, i - 1 - at - open.Length);
                string rendered = render(arg);
                s = s.Substring(0, at) + rendered + s.Substring(i);
                from = at + rendered.Length;
            }
            return s;
        }
    }
}
