using System;
using System.Collections.Generic;
using System.Linq;
using static CompiledNet.Generator.Literals;

namespace CompiledNet.Generator.Emit
{
    /// <summary>
    /// Where an element-wise statement is rendered: in a vector body of one <see cref="VectorWidth"/> at index
    /// <see cref="Index"/>, or as scalars at <see cref="Index"/> (a loop variable or a constant column).
    /// </summary>
    internal readonly struct Lane
    {
        private Lane(VectorWidth? width, string index, int? column = null, bool step = false)
        {
            Width = width;
            Index = index;
            Column = column;
            IsTailStep = step;
        }

        /// <summary>
        /// A narrower vector in the tail of a wider loop: the scalars' vector copies (<c>nameV</c>) have the loop's
        /// width, so this lane broadcasts a scalar where it reads it.
        /// </summary>
        public bool IsTailStep { get; }

        /// <summary>The scalar <paramref name="name"/> in every lane: its vector copy, or a broadcast in a tail step.</summary>
        public string Broadcast(string name) => Width is { } v ? (IsTailStep ? v.Create(name) : name + "V") : name;

        /// <summary>The constant column of an unrolled scalar, or null in a loop.</summary>
        public int? Column { get; }

        /// <summary>The scalar element of ref <paramref name="reference"/> (plus <paramref name="offset"/>) this lane reads and writes.</summary>
        public string Element(string reference, string? offset = null)
            => Column is { } c && offset is null ? Refs.At(reference, c) : Refs.At(reference, offset is null ? Index : offset + " + " + Index);

        /// <summary>The vector width, or null for a scalar.</summary>
        public VectorWidth? Width { get; }

        public string Index { get; }

        public bool IsVector => Width is not null;

        public static Lane Vector(VectorWidth width, string index = "j") => new Lane(width, index);

        /// <summary>A narrower vector at the constant column <paramref name="column"/> in the tail of a wider loop.</summary>
        public static Lane TailStep(VectorWidth width, int column) => new Lane(width, Int(column), null, step: true);

        public static Lane Scalar(string index = "j") => new Lane(null, index);

        /// <summary>A scalar at the constant column <paramref name="column"/>.</summary>
        public static Lane Scalar(int column) => new Lane(null, Int(column), column);
    }

    /// <summary>
    /// An element-wise float expression, built once and rendered both for a vector body and for its scalar tail (see
    /// <see cref="Elementwise"/>), so the two compute the same thing in the same order. Binary operators are
    /// left-associative; the renderer writes the parentheses the tree needs and no others.
    /// </summary>
    internal abstract class Expr
    {
        public static Expr operator +(Expr a, Expr b) => new Binary("+", 1, a, b);
        public static Expr operator -(Expr a, Expr b) => new Binary("-", 1, a, b);
        public static Expr operator *(Expr a, Expr b) => new Binary("*", 2, a, b);
        public static Expr operator /(Expr a, Expr b) => new Binary("/", 2, a, b);

        /// <summary>Element j (plus <paramref name="offset"/>) of the floats at ref <paramref name="reference"/>.</summary>
        public static Expr Load(string reference, string? offset = null) => new LoadExpr(reference, offset);

        /// <summary>A scalar of the enclosing method broadcast to every lane: in a vector body its copy <c>nameV</c>.</summary>
        public static Expr Broadcast(string name) => new BroadcastExpr(name);

        /// <summary>A local declared by an earlier statement of the same body (a vector in the body, a float in the tail).</summary>
        public static Expr Local(string name) => new LocalExpr(name);

        /// <summary>
        /// A value named <paramref name="name"/> in a vector body (declared by <see cref="Stmt.With"/>) and written out
        /// in full in a scalar tail, where a second read costs nothing.
        /// </summary>
        public static Expr Bound(string name, Expr value) => new BoundExpr(name, value);

        public static readonly Expr Zero = new ConstantExpr(0);
        public static readonly Expr One = new ConstantExpr(1);

        public static Expr Sqrt(Expr x) => new CallExpr(Function.Sqrt, x);
        public static Expr Max(Expr a, Expr b) => new CallExpr(Function.Max, a, b);

        /// <summary>L1's shift of <paramref name="w"/> toward zero by <paramref name="t"/>, never across it.</summary>
        public static Expr ShrinkTowardZero(Expr w, Expr t) => new CallExpr(Function.Shrink, w, t);

        /// <summary><paramref name="x"/> with every element of magnitude below the broadcast scalar <c>tiny</c> set to 0.</summary>
        public static Expr FlushBelowTiny(Expr x) => new CallExpr(Function.Flush, x);

        /// <summary>Binding strength: 3 for a primary expression, 2 for * and /, 1 for + and −.</summary>
        internal virtual int Precedence => 3;

        internal abstract string Render(Lane lane);

        internal enum Function { Sqrt, Max, Shrink, Flush }

        private sealed class Binary : Expr
        {
            private readonly string _op;
            private readonly int _precedence;
            private readonly Expr _left, _right;

            public Binary(string op, int precedence, Expr left, Expr right)
            {
                _op = op;
                _precedence = precedence;
                _left = left;
                _right = right;
            }

            internal override int Precedence => _precedence;

            internal override string Render(Lane lane)
            {
                string left = _left.Render(lane), right = _right.Render(lane);
                if (_left.Precedence < _precedence) left = "(" + left + ")";
                if (_right.Precedence <= _precedence) right = "(" + right + ")";
                return left + " " + _op + " " + right;
            }
        }

        private sealed class LoadExpr : Expr
        {
            private readonly string _reference;
            private readonly string? _offset;

            public LoadExpr(string reference, string? offset)
            {
                _reference = reference;
                _offset = offset;
            }

            internal string At(Lane lane) => _offset is null ? lane.Index : _offset + " + " + lane.Index;

            internal string Reference => _reference;

            internal override string Render(Lane lane) => lane.Width is { } v
                ? v.Load(_reference, At(lane))
                : lane.Element(_reference, _offset);
        }

        private sealed class BroadcastExpr : Expr
        {
            private readonly string _name;

            public BroadcastExpr(string name) => _name = name;

            internal override string Render(Lane lane) => lane.Broadcast(_name);
        }

        private sealed class LocalExpr : Expr
        {
            private readonly string _name;

            public LocalExpr(string name) => _name = name;

            internal override string Render(Lane lane) => _name;
        }

        internal sealed class BoundExpr : Expr
        {
            public BoundExpr(string name, Expr value)
            {
                Name = name;
                Value = value;
            }

            public string Name { get; }

            public Expr Value { get; }

            internal override int Precedence => Value.Precedence;

            internal override string Render(Lane lane) => lane.IsVector ? Name : Value.Render(lane);
        }

        private sealed class ConstantExpr : Expr
        {
            private readonly int _value;

            public ConstantExpr(int value) => _value = value;

            internal override string Render(Lane lane) => lane.Width is { } v
                ? (_value == 0 ? v.Zero : v.One)
                : (_value == 0 ? "0f" : "1f");
        }

        private sealed class CallExpr : Expr
        {
            private readonly Function _function;
            private readonly Expr[] _arguments;

            public CallExpr(Function function, params Expr[] arguments)
            {
                _function = function;
                _arguments = arguments;
            }

            internal override string Render(Lane lane)
            {
                var a = _arguments.Select(x => x.Render(lane)).ToArray();
                var v = lane.Width;
                switch (_function)
                {
                    case Function.Sqrt:
                        return v is null ? $"global::System.MathF.Sqrt({a[0]})" : v.Call("Sqrt", a[0]);
                    case Function.Max:
                        return v is null ? $"global::System.MathF.Max({a[0]}, {a[1]})" : v.Call("Max", a[0], a[1]);
                    case Function.Shrink:
                        return $"global::CompiledNet.CompilerServices.Kernels.ShrinkTowardZero({a[0]}, {a[1]})";
                    case Function.Flush:
                        return v is null
                            ? $"(global::System.MathF.Abs({a[0]}) < tiny ? 0f : {a[0]})"
                            : v.Call("AndNot", a[0], v.Call("LessThan", v.Call("Abs", a[0]), lane.Broadcast("tiny")));
                    default:
                        throw new InvalidOperationException(_function.ToString());
                }
            }
        }
    }

    /// <summary>An element-wise statement: rendered for a vector body and for a scalar tail from the same tree.</summary>
    internal abstract class Stmt
    {
        /// <summary><c>var name = value;</c></summary>
        public static Stmt Var(string name, Expr value, string? comment = null) => new Simple(l => $"var {name} = {value.Render(l)};", comment);

        /// <summary><c>name = value;</c></summary>
        public static Stmt Assign(string name, Expr value, string? comment = null) => new Simple(l => $"{name} = {value.Render(l)};", comment);

        /// <summary><c>name += value;</c></summary>
        public static Stmt AddTo(string name, Expr value) => new Simple(l => $"{name} += {value.Render(l)};", null);

        /// <summary>Element j (plus <paramref name="offset"/>) of ref <paramref name="reference"/> = value.</summary>
        public static Stmt Store(string reference, Expr value, string? comment = null, string? offset = null) => new Simple(l =>
        {
            string at = offset is null ? l.Index : offset + " + " + l.Index;
            return l.Width is { } v
                ? v.Store(value.Render(l), reference, at) + ";"
                : $"{l.Element(reference, offset)} = {value.Render(l)};";
        }, comment);

        /// <summary>Element j of ref <paramref name="reference"/> multiplied in place by <paramref name="factor"/> (<c>*=</c> in a scalar tail).</summary>
        public static Stmt Scale(string reference, Expr factor) => new Simple(l => l.Width is { } v
            ? v.Store((Expr.Load(reference) * factor).Render(l), reference, l.Index) + ";"
            : $"{l.Element(reference)} *= {factor.Render(l)};", null);

        /// <summary>Element j of ref <paramref name="reference"/> set to 0 where the element of <paramref name="test"/> is not positive (NaN included).</summary>
        public static Stmt ZeroUnlessPositive(string reference, Expr test) => new Simple(l => l.Width is { } v
            ? v.Store(Expr.Load(reference).Render(l) + " & " + v.Call("GreaterThan", test.Render(l), v.Zero), reference, l.Index) + ";"
            : $"if (!({test.Render(l)} > 0f)) {l.Element(reference)} = 0f;", null);

        /// <summary>
        /// The finite check of a step: a vector body adds value × 0 into <c>check</c> (NaN from then on if value is not
        /// finite), a scalar tail into <c>checkTail</c>.
        /// </summary>
        public static Stmt CheckFinite(Expr value) => new Simple(l => l.IsVector
            ? $"check += {(value * Expr.Zero).Render(l)}; // NaN from here on if p is not finite"
            : $"checkTail += {(value * Expr.Zero).Render(l)};", null);

        /// <summary>A loop over the rows r of the body's column, its statements on one line: <c>for (nuint r = 0; r &lt; rows; r++) …</c>.</summary>
        public static Stmt ForRows(params Stmt[] body) => new Compound("for (nuint r = 0; r < rows; r++) ", body, bracesForOne: false);

        /// <summary>
        /// <paramref name="body"/> with the <see cref="Expr.Bound"/> values <paramref name="bindings"/> declared first in
        /// a vector body (one line in braces); a scalar tail writes the values in place.
        /// </summary>
        public static Stmt With(Expr[] bindings, Stmt body) => new Binding(bindings, body);

        internal abstract string Render(Lane lane);

        private sealed class Simple : Stmt
        {
            private readonly Func<Lane, string> _render;
            private readonly string? _comment;

            public Simple(Func<Lane, string> render, string? comment)
            {
                _render = render;
                _comment = comment;
            }

            internal override string Render(Lane lane) => _comment is null ? _render(lane) : _render(lane) + " // " + _comment;
        }

        private sealed class Compound : Stmt
        {
            private readonly string _header;
            private readonly Stmt[] _body;
            private readonly bool _bracesForOne;

            public Compound(string header, Stmt[] body, bool bracesForOne)
            {
                _header = header;
                _body = body;
                _bracesForOne = bracesForOne;
            }

            internal override string Render(Lane lane)
            {
                string inner = string.Join(" ", _body.Select(s => s.Render(lane)));
                return _body.Length == 1 && !_bracesForOne ? _header + inner : _header + "{ " + inner + " }";
            }
        }

        private sealed class Binding : Stmt
        {
            private readonly Expr[] _bindings;
            private readonly Stmt _body;

            public Binding(Expr[] bindings, Stmt body)
            {
                _bindings = bindings;
                _body = body;
            }

            internal override string Render(Lane lane)
            {
                if (!lane.IsVector) return _body.Render(lane);
                var declarations = _bindings.Cast<Expr.BoundExpr>().Select(b => $"var {b.Name} = {b.Value.Render(lane)};");
                return "{ " + string.Join(" ", declarations) + " " + _body.Render(lane) + " }";
            }
        }
    }

    /// <summary>
    /// Writes element-wise statements over a constant range: a vector loop of one <see cref="VectorWidth"/>, then the
    /// remaining columns as scalars, both rendered from the same <see cref="Stmt"/> trees.
    /// </summary>
    internal static class Elementwise
    {
        /// <summary>
        /// <paramref name="body"/> over [start, start + length): a vector loop, then a constant-bound scalar loop.
        /// </summary>
        public static void Loop(IndentedWriter w, VectorWidth width, int start, int length, params Stmt[] body)
        {
            int lanes = width.Lanes;
            int full = length / lanes * lanes;
            if (full > 0)
                using (w.Open($"for (nuint j = {Int(start)}; j < {Int(start + full)}; j += {Int(lanes)})"))
                    Write(w, body, Lane.Vector(width));
            int at = start + full;
            foreach (var narrow in width.Narrower)
                if (start + length - at >= narrow.Lanes)
                {
                    using (w.Open())
                        Write(w, body, Lane.TailStep(narrow, at));
                    at += narrow.Lanes;
                }
            if (at < start + length)
                using (w.Open($"for (nuint j = {Int(at)}; j < {Int(start + length)}; j++)"))
                    Write(w, body, Lane.Scalar());
        }

        /// <summary><paramref name="body"/> over [0, length): a vector loop, then each remaining column written out at its constant index.</summary>
        public static void Unrolled(IndentedWriter w, VectorWidth width, int length, Stmt body)
        {
            int lanes = width.Lanes;
            int full = length / lanes * lanes;
            if (full > 0)
                using (w.Open($"for (nuint j = 0; j < {Int(full)}; j += {Int(lanes)})"))
                    w.Line(body.Render(Lane.Vector(width)));
            int at = full;
            foreach (var narrow in width.Narrower)
                if (length - at >= narrow.Lanes)
                {
                    w.Line(body.Render(Lane.TailStep(narrow, at)));
                    at += narrow.Lanes;
                }
            for (int t = at; t < length; t++)
                w.Line(body.Render(Lane.Scalar(t)));
        }

        public static void Write(IndentedWriter w, IEnumerable<Stmt> body, Lane lane)
        {
            foreach (var s in body) w.Line(s.Render(lane));
        }

        /// <summary>A scalar the statements read through <see cref="Expr.Broadcast"/>, and its vector copy.</summary>
        public sealed class Scalar
        {
            public Scalar(string name, string value, bool isConst)
            {
                Name = name;
                Value = value;
                IsConst = isConst;
            }

            public string Name { get; }

            /// <summary>A literal (for a constant), a parameter of the method (its own name), or an expression.</summary>
            public string Value { get; }

            public bool IsConst { get; }

            public Expr Expr => Expr.Broadcast(Name);
        }

        /// <summary>Declares <paramref name="scalar"/> and its vector copy <c>nameV</c>.</summary>
        public static void Declare(IndentedWriter w, VectorWidth width, Scalar scalar)
        {
            if (scalar.IsConst) w.Line($"const float {scalar.Name} = {scalar.Value};");
            else if (scalar.Value != scalar.Name) w.Line($"float {scalar.Name} = {scalar.Value};");
            w.Line($"var {scalar.Name}V = {width.Create(scalar.Name)};");
        }

        /// <summary>Declares a scalar and its vector copy, returning the expression that reads it.</summary>
        public static Expr Declare(IndentedWriter w, VectorWidth width, string name, string value, bool isConst)
        {
            var s = new Scalar(name, value, isConst);
            Declare(w, width, s);
            return s.Expr;
        }
    }
}
