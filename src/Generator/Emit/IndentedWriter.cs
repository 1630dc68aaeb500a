using System;
using System.Globalization;
using System.Text;

namespace CompiledNet.Generator.Emit
{
    /// <summary>A small indented text writer: one line at a time, blocks opened and closed with braces.</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _indent;

        public void Line(string line = "")
        {
            if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
            _text.Append('\n');
        }

        /// <summary>Writes a line with its {0}-style holes filled using the invariant culture.</summary>
        public void Line(string format, params object[] args) => Line(string.Format(CultureInfo.InvariantCulture, format, args));

        /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until the returned scope is disposed.</summary>
        public Block Open(string header)
        {
            Line(header);
            Line("{");
            _indent++;
            return new Block(this);
        }

        /// <summary>An opening brace alone (for a nested scope), closed when the returned scope is disposed.</summary>
        public Block Open()
        {
            Line("{");
            _indent++;
            return new Block(this);
        }

        /// <summary>The generator's assembly version, named by <c>[GeneratedCode]</c> on every generated member.</summary>
        public static readonly string GeneratorVersion = typeof(IndentedWriter).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

        /// <summary>
        /// The attributes of a generated method, constructor, property or nested type: <c>[GeneratedCode]</c> (tools
        /// tell generated members from the user's own in the same partial class), <c>[DebuggerNonUserCode]</c> (with
        /// "Just My Code" the debugger steps over the generated kernels into the user's code), and
        /// <c>[ExcludeFromCodeCoverage]</c> (coverage measures the user's code, not the network's). Fields take none:
        /// neither the debugger nor coverage tools look at them, and the file is marked auto-generated for analyzers.
        /// </summary>
        public void MemberAttributes()
        {
            Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"CompiledNet\", \"{GeneratorVersion}\")]");
            Line("[global::System.Diagnostics.DebuggerNonUserCode]");
            Line("[global::System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]");
        }

        /// <summary>A generated member with a body: its attributes, then <see cref="Open(string)"/>.</summary>
        public Block Member(string header)
        {
            MemberAttributes();
            return Open(header);
        }

        /// <summary>A generated member written on one line (an expression body): its attributes, then the line.</summary>
        public void MemberLine(string line)
        {
            MemberAttributes();
            Line(line);
        }

        public override string ToString() => _text.ToString();

        internal readonly struct Block : IDisposable
        {
            private readonly IndentedWriter _writer;

            public Block(IndentedWriter writer) => _writer = writer;

            public void Dispose()
            {
                _writer._indent--;
                _writer.Line("}");
            }
        }
    }
}
