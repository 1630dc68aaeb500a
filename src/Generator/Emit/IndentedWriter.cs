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
