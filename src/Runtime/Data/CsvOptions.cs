using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace CompiledNet
{
    /// <summary>
    /// How <see cref="Dataset.FromCsv(string, CsvOptions?)"/> reads a CSV file of examples: one example per row, one
    /// column the class label, every other column a feature (the usual distribution of MNIST-style data:
    /// <c>label,pixel1,…,pixel784</c>); or, with <see cref="TargetNames"/> or <see cref="TargetColumns"/>, regression
    /// data: those columns the float targets, every other column a feature.
    /// </summary>
    public sealed record CsvOptions
    {
        /// <summary>Whether the first row is a header: null (default) decides from the file (a first row whose label field is not a number is a header).</summary>
        public bool? HasHeader { get; init; }

        /// <summary>The label column's name in the header. Default "label"; when the file has no header, or no column of that name and <see cref="LabelColumn"/> is set, the index is used.</summary>
        public string LabelName { get; init; } = "label";

        /// <summary>The label column's 0-based index, used without a header (default 0), or to override <see cref="LabelName"/>.</summary>
        public int? LabelColumn { get; init; }

        /// <summary>
        /// Regression: the header names of the target columns (in this order: target 0, 1, …); every other column is a
        /// feature and there is no label column. A name missing from the header is an error naming it. Set this or
        /// <see cref="TargetColumns"/>, not both. Targets are read as they are (<see cref="Scale"/> applies to features only).
        /// </summary>
        public System.Collections.Generic.IReadOnlyList<string>? TargetNames { get; init; }

        /// <summary>Regression: the 0-based indices of the target columns (in this order); see <see cref="TargetNames"/>.</summary>
        public System.Collections.Generic.IReadOnlyList<int>? TargetColumns { get; init; }

        /// <summary>Every feature value is multiplied by this (default 1/255: byte pixels to [0, 1]; set 1 for tabular data).</summary>
        public float Scale { get; init; } = 1f / 255;

        /// <summary>Number of classes; null (default) takes the largest label + 1. A label outside [0, ClassCount) is an error naming its row.</summary>
        public int? ClassCount { get; init; }

        /// <summary>With both set, the features form images of this many rows and columns (see <see cref="Dataset.ImageHeight"/>); the feature count must match.</summary>
        public int ImageHeight { get; init; }

        /// <summary>Image columns; see <see cref="ImageHeight"/>.</summary>
        public int ImageWidth { get; init; }

        /// <summary>The field separator (default ',').</summary>
        public char Separator { get; init; } = ',';

        /// <summary>
        /// Whether a plain (uncompressed) file must end with a line break after its last row (default true). A file
        /// cut in the middle of its last number still parses; requiring the line break is what finds such a cut. Set
        /// false for files written without one. A gzip file is checked by its CRC-32 trailer instead.
        /// </summary>
        public bool RequireFinalNewline { get; init; } = true;

        /// <summary>
        /// The number of data rows the file must have, or null (default) for any. The one guard against a file cut
        /// exactly at a line end, which no reader can tell from a complete file.
        /// </summary>
        public int? ExpectedRows { get; init; }
    }
}
