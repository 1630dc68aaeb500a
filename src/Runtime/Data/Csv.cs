using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace CompiledNet
{
    /// <summary>
    /// How <see cref="Dataset.FromCsv"/> reads a CSV file of labelled examples: one example per row, one column the
    /// class label, every other column a feature (the usual distribution of MNIST-style data: <c>label,pixel1,…,pixel784</c>).
    /// </summary>
    public sealed record CsvOptions
    {
        /// <summary>Whether the first row is a header: null (default) decides from the file (a first row whose label field is not a number is a header).</summary>
        public bool? HasHeader { get; init; }

        /// <summary>The label column's name in the header. Default "label"; when the file has no header, or no column of that name and <see cref="LabelColumn"/> is set, the index is used.</summary>
        public string LabelName { get; init; } = "label";

        /// <summary>The label column's 0-based index, used without a header (default 0), or to override <see cref="LabelName"/>.</summary>
        public int? LabelColumn { get; init; }

        /// <summary>Every feature value is multiplied by this (default 1/255: byte pixels to [0, 1]).</summary>
        public float Scale { get; init; } = 1f / 255;

        /// <summary>Number of classes; null (default) takes the largest label + 1. A label outside [0, ClassCount) is an error naming its row.</summary>
        public int? ClassCount { get; init; }

        /// <summary>With both set, the features form images of this many rows and columns (see <see cref="Dataset.ImageHeight"/>); the feature count must match.</summary>
        public int ImageHeight { get; init; }

        /// <summary>Image columns; see <see cref="ImageHeight"/>.</summary>
        public int ImageWidth { get; init; }

        /// <summary>The field separator (default ',').</summary>
        public char Separator { get; init; } = ',';
    }

    public sealed partial class Dataset
    {
        /// <summary>
        /// Loads labelled examples from a CSV file, plain or gzip (recognised by content). Fields may be surrounded by
        /// spaces or double quotes; line ends may be LF or CRLF; blank lines at the end are ignored. Any bad row throws
        /// <see cref="InvalidDataException"/> whose message starts with the path and names the row (1-based line
        /// number), the column (1-based, with its header name) and what was wrong: a field that is not a finite number,
        /// an empty field, a row with the wrong number of columns, a label that is not a whole number in range, a blank
        /// line between rows, an empty file.
        /// </summary>
        public static Dataset FromCsv(string path, CsvOptions? options = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            options ??= new CsvOptions();
            if (options.ClassCount is <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.ClassCount, "ClassCount must be positive.");
            if (options.LabelColumn is < 0) throw new ArgumentOutOfRangeException(nameof(options), options.LabelColumn, "LabelColumn must be ≥ 0.");
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            int first = file.ReadByte(), second = file.ReadByte();
            file.Position = 0;
            using Stream stream = first == 0x1F && second == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            try
            {
                return new CsvParser(path, options).Parse(reader);
            }
            catch (InvalidDataException ex) when (!ex.Message.StartsWith(path + ": ", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{path}: the gzip stream is corrupt: {ex.Message}", ex);
            }
        }

        private sealed class CsvParser(string path, CsvOptions options)
        {
            private string[]? _header;
            private int _columns = -1, _labelColumn, _row;
            private float[] _features = new float[1 << 16];
            private int[] _labels = new int[1 << 10];
            private int _count, _featureCount;

            public Dataset Parse(StreamReader reader)
            {
                int blankRow = 0;
                string? line;
                while ((line = reader.ReadLine()) is not null)
                {
                    _row++;
                    if (string.IsNullOrWhiteSpace(line))
                    {
                        if (blankRow == 0) blankRow = _row;
                        continue;
                    }
                    if (blankRow != 0)
                        throw Bad($"row {blankRow} is empty, but data follows in row {_row}; remove blank lines between rows.");
                    if (_columns < 0) First(line);
                    else Data(line);
                }
                if (_row == 0 || (_columns < 0)) throw Bad("the file is empty.");
                if (_count == 0) throw Bad("the file has a header but no data rows.");
                int classes = options.ClassCount ?? 0;
                if (options.ClassCount is null)
                    for (int i = 0; i < _count; i++) classes = Math.Max(classes, _labels[i] + 1);
                var data = new Dataset(_features.AsSpan(0, _count * _featureCount).ToArray(), _featureCount, _labels.AsSpan(0, _count).ToArray(), classes);
                if (options.ImageHeight > 0 || options.ImageWidth > 0)
                {
                    if ((long)options.ImageHeight * options.ImageWidth != _featureCount)
                        throw Bad($"images of {options.ImageHeight} × {options.ImageWidth} pixels need {(long)options.ImageHeight * options.ImageWidth} feature columns, but the rows have {_featureCount}.");
                    data = data.WithImageSize(options.ImageHeight, options.ImageWidth);
                }
                return data;
            }

            private void First(string line)
            {
                var fields = Split(line);
                _columns = fields.Length;
                if (_columns < 2) throw Bad($"row 1 has {_columns} column; a labelled example needs a label column and at least one feature column.");
                bool header = options.HasHeader ?? !IsNumber(Unquote(fields[options.LabelColumn is int c && c < fields.Length ? c : 0]));
                if (header)
                {
                    _header = new string[_columns];
                    for (int i = 0; i < _columns; i++) _header[i] = Unquote(fields[i]).ToString();
                    int named = Array.IndexOf(_header, options.LabelName);
                    if (options.LabelColumn is int index) _labelColumn = index;
                    else if (named >= 0) _labelColumn = named;
                    else
                        throw Bad($"the header has no column named \"{options.LabelName}\" (it starts with {string.Join(", ", _header[..Math.Min(5, _columns)])}); set CsvOptions.LabelName or LabelColumn.");
                }
                else _labelColumn = options.LabelColumn ?? 0;
                if (_labelColumn >= _columns)
                    throw Bad($"the label column is {_labelColumn + 1}, but row 1 has {_columns} columns.");
                _featureCount = _columns - 1;
                if (!header) Data(line);
            }

            private string[] Split(string line) => line.Split(options.Separator);

            private void Data(string line)
            {
                if (_count == _labels.Length) Array.Resize(ref _labels, _labels.Length * 2);
                if ((long)(_count + 1) * _featureCount > _features.Length)
                    Array.Resize(ref _features, (int)Math.Min(Array.MaxLength, Math.Max((long)_features.Length * 2, (long)(_count + 1) * _featureCount)));
                var span = line.AsSpan();
                var features = _features.AsSpan(_count * _featureCount, _featureCount);
                int column = 0, feature = 0;
                while (true)
                {
                    int end = span.IndexOf(options.Separator);
                    var field = end < 0 ? span : span[..end];
                    if (column >= _columns) throw Bad($"row {_row} has more than the {_columns} columns of {(_header is null ? "row 1" : "the header")}.");
                    var text = Unquote(field);
                    if (text.IsEmpty) throw Bad($"row {_row}, column {Column(column)}: the field is empty.");
                    if (column == _labelColumn) _labels[_count] = Label(text, column);
                    else features[feature++] = Number(text, column) * options.Scale;
                    column++;
                    if (end < 0) break;
                    span = span[(end + 1)..];
                }
                if (column != _columns)
                    throw Bad($"row {_row} has {column} columns; {(_header is null ? "row 1" : "the header")} has {_columns}.");
                _count++;
            }

            private float Number(ReadOnlySpan<char> text, int column)
            {
                // Whole numbers (pixel bytes) without the general parser; anything else through float.TryParse.
                if (text.Length <= 6)
                {
                    int value = 0, i = 0;
                    for (; i < text.Length && (uint)(text[i] - '0') <= 9; i++) value = value * 10 + (text[i] - '0');
                    if (i == text.Length) return value;
                }
                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed))
                    throw Bad($"row {_row}, column {Column(column)}: \"{text}\" is not a number.");
                if (!float.IsFinite(parsed)) throw Bad($"row {_row}, column {Column(column)}: \"{text}\" is not a finite number.");
                return parsed;
            }

            private int Label(ReadOnlySpan<char> text, int column)
            {
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    throw Bad($"row {_row}, column {Column(column)}: the label \"{text}\" is not a number.");
                if (value != Math.Floor(value) || value < 0 || value > int.MaxValue)
                    throw Bad($"row {_row}, column {Column(column)}: the label \"{text}\" is not a class index (a whole number ≥ 0).");
                if (options.ClassCount is int classes && value >= classes)
                    throw Bad($"row {_row}, column {Column(column)}: the label {value.ToString(CultureInfo.InvariantCulture)} is outside the {classes} classes [0, {classes}).");
                return (int)value;
            }

            private string Column(int column)
                => _header is null ? (column + 1).ToString(CultureInfo.InvariantCulture) : $"{column + 1} (\"{_header[column]}\")";

            private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field)
            {
                field = field.Trim();
                if (field.Length >= 2 && field[0] == '"' && field[^1] == '"') field = field[1..^1].Trim();
                return field;
            }

            private static bool IsNumber(ReadOnlySpan<char> text)
                => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

            private InvalidDataException Bad(string problem) => new($"{path}: {problem}");
        }
    }
}
