using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CompiledNet
{
    /// <summary>A layer that crossed a threshold, with the usual remedies.</summary>
    public sealed record HealthWarning(int Layer, string Problem, string Remedies)
    {
        /// <inheritdoc />
        public override string ToString() => $"{Problem} Remedies: {Remedies}.";
    }
}
