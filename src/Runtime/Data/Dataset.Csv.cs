using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace CompiledNet
{
    public sealed partial class Dataset
    {
        /// <summary>
        /// Loads labelled examples from a CSV file, plain or gzip (recognised by content). Fields may be surrounded by
        /// spaces; a field may be quoted as RFC 4180 describes (<c>"…"</c>, with <c>""</c> for a quote inside, and the
        /// separator allowed inside; a quoted field may not span lines); line ends may be LF or CRLF; blank lines at
        /// the end are ignored. Any bad row throws <see cref="InvalidDataException"/> whose message starts with the path
        /// and names the row (1-based line number), the column (1-based, with its header name), the value and what was
        /// wrong: a field that is not a finite number (or becomes infinite times <see cref="CsvOptions.Scale"/>), an
        /// empty field, a row with the wrong number of columns, a label that is not a whole number in range, a blank
        /// line between rows, an empty file. A truncated file is reported as truncated: a gzip file by its CRC-32 and
        /// length trailer, a plain one by a last row without its line break (<see cref="CsvOptions.RequireFinalNewline"/>)
        /// or with too few columns, or by <see cref="CsvOptions.ExpectedRows"/>.
        /// </summary>
        /// <remarks>
        /// With <see cref="CsvOptions.TargetNames"/> or <see cref="CsvOptions.TargetColumns"/> the result is regression
        /// data (<see cref="IsRegression"/>): those columns are the targets, read as finite floats, and every other column
        /// is a feature; a header then is detected from the first target column's field.
        /// </remarks>
        public static Dataset FromCsv(string path, CsvOptions? options = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            options ??= new CsvOptions();
            Check(options);
            return Read(path, options, CsvParser.Mode.Mixed);
        }

        /// <summary>
        /// Loads regression data kept in two CSV files of the same rows, as scikit-learn and many data sets ship them:
        /// every column of <paramref name="featuresPath"/> is a feature, every column of <paramref name="targetsPath"/> a
        /// target. <see cref="CsvOptions.Separator"/>, <see cref="CsvOptions.HasHeader"/> (null: each file decides from its
        /// first field), <see cref="CsvOptions.Scale"/> (features only), <see cref="CsvOptions.RequireFinalNewline"/> and
        /// <see cref="CsvOptions.ExpectedRows"/> apply to both; the label and target options must be unset. Errors are
        /// those of <see cref="FromCsv(string, CsvOptions?)"/>, each naming its file, and files of different row counts
        /// are an <see cref="InvalidDataException"/> naming both counts.
        /// </summary>
        public static Dataset FromCsvFiles(string featuresPath, string targetsPath, CsvOptions? options = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(featuresPath);
            ArgumentException.ThrowIfNullOrEmpty(targetsPath);
            options ??= new CsvOptions();
            Check(options);
            if (options.TargetNames is not null || options.TargetColumns is not null || options.LabelColumn is not null || options.ClassCount is not null)
                throw new ArgumentException("With a separate targets file every column of it is a target: leave TargetNames, TargetColumns, LabelColumn and ClassCount unset.", nameof(options));
            var x = Read(featuresPath, options, CsvParser.Mode.FeaturesOnly);
            var y = Read(targetsPath, options, CsvParser.Mode.TargetsOnly);
            if (x.Count != y.Count)
                throw new InvalidDataException($"{featuresPath} has {x.Count} data rows but {targetsPath} has {y.Count}; the two files must hold the same examples, row for row.");
            var data = ForRegression(x._features, x.FeatureSize, y._targets!, y.TargetSize);
            return x.ImageHeight > 0 ? data.WithImageSize(x.ImageHeight, x.ImageWidth) : data;
        }

        private static void Check(CsvOptions options)
        {
            if (options.ClassCount is <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.ClassCount, "ClassCount must be positive.");
            if (options.LabelColumn is < 0) throw new ArgumentOutOfRangeException(nameof(options), options.LabelColumn, "LabelColumn must be ≥ 0.");
            if (options.ExpectedRows is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.ExpectedRows, "ExpectedRows must be positive.");
            if (options.Separator is '"' or '\r' or '\n') throw new ArgumentOutOfRangeException(nameof(options), options.Separator, "The separator cannot be a quote or a line break.");
            if (options.TargetNames is not null && options.TargetColumns is not null)
                throw new ArgumentException("Set CsvOptions.TargetNames or TargetColumns, not both.", nameof(options));
            if (options.TargetNames is { Count: 0 } || options.TargetColumns is { Count: 0 })
                throw new ArgumentException("CsvOptions.TargetNames or TargetColumns is empty; a regression file needs at least one target column.", nameof(options));
            if (options.TargetColumns is { } columns)
                for (int i = 0; i < columns.Count; i++)
                {
                    if (columns[i] < 0) throw new ArgumentOutOfRangeException(nameof(options), columns[i], $"TargetColumns[{i}] is {columns[i]}; a column index is ≥ 0.");
                    for (int j = 0; j < i; j++)
                        if (columns[j] == columns[i]) throw new ArgumentException($"TargetColumns lists column {columns[i]} twice (entries {j} and {i}).", nameof(options));
                }
            if ((options.TargetNames is not null || options.TargetColumns is not null) && (options.LabelColumn is not null || options.ClassCount is not null))
                throw new ArgumentException("Regression data (TargetNames or TargetColumns) has no label column: leave LabelColumn and ClassCount unset.", nameof(options));
        }

        private static Dataset Read(string path, CsvOptions options, CsvParser.Mode mode)
        {
            using var stream = DataFiles.Open(path, out bool gzip, out _);
            bool unterminated = !gzip && !EndsWithLineBreak((FileStream)stream);
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            return new CsvParser(path, options, unterminated, mode).Parse(reader);
        }

        /// <summary>
        /// Whether the last line that is not blank ends with a line break: looks at the file's tail, skipping trailing
        /// spaces and blank lines, then restores the position.
        /// </summary>
        private static bool EndsWithLineBreak(FileStream file)
        {
            long length = file.Length;
            var tail = new byte[(int)Math.Min(length, 1 << 16)];
            file.Position = length - tail.Length;
            file.ReadExactly(tail);
            file.Position = 0;
            bool lineBreak = false;
            for (int i = tail.Length - 1; i >= 0; i--)
            {
                byte b = tail[i];
                if (b is (byte)'\n' or (byte)'\r') lineBreak = true;
                else if (b is not ((byte)' ' or (byte)'\t')) return lineBreak;
            }
            return true; // nothing but white space: there is no last row to be cut
        }

        private sealed class CsvParser(string path, CsvOptions options, bool unterminated, CsvParser.Mode mode)
        {
            /// <summary>What the columns are: a label or targets among features, features only, targets only.</summary>
            public enum Mode { Mixed, FeaturesOnly, TargetsOnly }

            private string[]? _header;
            private int _columns = -1, _labelColumn = -1, _row;
            private float[] _features = new float[1 << 16];
            private int[] _labels = new int[1 << 10];
            private float[] _targets = new float[1 << 10];
            private int[]? _targetSlot;   // per column: its target index, or -1 for a feature (regression only)
            private int _count, _featureCount, _targetCount, _lastRow;

            private bool Regression => _targetSlot is not null;

            public Dataset Parse(StreamReader reader)
            {
                _reader = reader;
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
                    _lastRow = _row;
                    if (unterminated && options.RequireFinalNewline && reader.Peek() < 0)
                        throw Bad($"the file is truncated, or was written without a final line break: its last row, {_row}, does not end with one " +
                            $"(it ends \"{Tail(line)}\"), so its last value may be cut short. If the file is complete, set CsvOptions.RequireFinalNewline = false.");
                    if (_columns < 0) First(line);
                    else Data(line);
                }
                if (_row == 0 || (_columns < 0)) throw Bad("the file is empty.");
                if (_count == 0) throw Bad("the file has a header but no data rows.");
                if (options.ExpectedRows is int expected && expected != _count)
                    throw Bad(_count < expected
                        ? $"the file is truncated: it has {_count} data rows (the last is row {_lastRow}); CsvOptions.ExpectedRows is {expected}."
                        : $"the file has {_count} data rows; CsvOptions.ExpectedRows is {expected}.");
                Dataset data;
                if (mode == Mode.TargetsOnly)
                    data = new Dataset(new float[_count], 1, _targets.AsSpan(0, _count * _targetCount).ToArray(), _targetCount, _count);
                else if (Regression)
                    data = new Dataset(_features.AsSpan(0, _count * _featureCount).ToArray(), Math.Max(1, _featureCount),
                        _targets.AsSpan(0, _count * _targetCount).ToArray(), Math.Max(1, _targetCount), _count);
                else
                {
                    long classes = options.ClassCount ?? 0;
                    if (options.ClassCount is null)
                        for (int i = 0; i < _count; i++) classes = Math.Max(classes, _labels[i] + 1L);
                    data = new Dataset(_features.AsSpan(0, _count * _featureCount).ToArray(), _featureCount, _labels.AsSpan(0, _count).ToArray(), (int)classes);
                }
                if (options.ImageHeight > 0 || options.ImageWidth > 0)
                {
                    if ((long)options.ImageHeight * options.ImageWidth != _featureCount)
                        throw Bad($"images of {options.ImageHeight} × {options.ImageWidth} pixels need {(long)options.ImageHeight * options.ImageWidth} feature columns, but the rows have {_featureCount}.");
                    data = data.WithImageSize(options.ImageHeight, options.ImageWidth);
                }
                return data;
            }

            private static string Tail(string line) => line.Length <= 24 ? line : "…" + line[^24..];

            private void First(string line)
            {
                var fields = new System.Collections.Generic.List<string>();
                int position = 0;
                bool more = true;
                while (more) fields.Add(NextField(line, ref position, fields.Count, out more).ToString());
                _columns = fields.Count;
                if (mode != Mode.Mixed) { FirstWithoutLabel(line, fields); return; }
                if (options.TargetNames is not null || options.TargetColumns is not null) { FirstRegression(line, fields); return; }
                if (_columns < 2) throw Bad($"row {_row} has {_columns} column; a labelled example needs a label column and at least one feature column.");
                bool header = options.HasHeader ?? !IsNumber(fields[options.LabelColumn is int c && c < fields.Count ? c : 0]);
                if (header)
                {
                    _header = fields.ToArray();
                    int named = Array.IndexOf(_header, options.LabelName);
                    if (options.LabelColumn is int index) _labelColumn = index;
                    else if (named >= 0) _labelColumn = named;
                    else
                        throw Bad($"the header has no column named \"{options.LabelName}\" (it starts with {string.Join(", ", _header[..Math.Min(5, _columns)])}); set CsvOptions.LabelName or LabelColumn.");
                }
                else _labelColumn = options.LabelColumn ?? 0;
                if (_labelColumn >= _columns)
                    throw Bad($"the label column is {_labelColumn + 1}, but row {_row} has {_columns} columns.");
                _featureCount = _columns - 1;
                if (!header) Data(line);
            }

            private void FirstWithoutLabel(string line, System.Collections.Generic.List<string> fields)
            {
                bool header = options.HasHeader ?? !IsNumber(fields[0]);
                if (header) _header = fields.ToArray();
                _targetSlot = new int[_columns];
                for (int c = 0; c < _columns; c++) _targetSlot[c] = mode == Mode.TargetsOnly ? c : -1;
                _targetCount = mode == Mode.TargetsOnly ? _columns : 0;
                _featureCount = mode == Mode.FeaturesOnly ? _columns : 0;
                if (!header) Data(line);
            }

            private void FirstRegression(string line, System.Collections.Generic.List<string> fields)
            {
                var names = options.TargetNames;
                var indices = options.TargetColumns;
                int firstTarget = indices is not null ? indices[0] : 0;
                bool header = options.HasHeader ?? (names is not null || !IsNumber(fields[firstTarget < fields.Count ? firstTarget : 0]));
                if (names is not null && !header)
                    throw Bad("CsvOptions.TargetNames names the target columns, but the file has no header" +
                        (options.HasHeader is false ? " (HasHeader is false)" : $" (row 1 starts with the number {fields[0]})") + "; use TargetColumns.");
                if (header) _header = fields.ToArray();
                _targetSlot = new int[_columns];
                Array.Fill(_targetSlot, -1);
                _targetCount = names?.Count ?? indices!.Count;
                for (int t = 0; t < _targetCount; t++)
                {
                    int column;
                    if (names is not null)
                    {
                        column = Array.IndexOf(_header!, names[t]);
                        if (column < 0)
                            throw Bad($"the header has no column named \"{names[t]}\" (CsvOptions.TargetNames[{t}]; the header is {string.Join(", ", _header![..Math.Min(12, _columns)])}{(_columns > 12 ? ", …" : "")}).");
                    }
                    else
                    {
                        column = indices![t];
                        if (column >= _columns)
                            throw Bad($"CsvOptions.TargetColumns[{t}] is column {column} (0-based), but row {_row} has {_columns} columns.");
                    }
                    if (_targetSlot[column] >= 0)
                        throw Bad($"column {Column(column)} is named twice among the targets (TargetNames entries {_targetSlot[column]} and {t}).");
                    _targetSlot[column] = t;
                }
                _featureCount = _columns - _targetCount;
                if (_featureCount < 1) throw Bad($"every one of the {_columns} columns is a target; a regression example needs at least one feature column.");
                if (!header) Data(line);
            }

            /// <summary>
            /// The field that starts at <paramref name="position"/> (trimmed; unquoted if quoted) and moves past it and
            /// its separator; <paramref name="more"/> tells whether another field follows.
            /// </summary>
            private ReadOnlySpan<char> NextField(string line, ref int position, int column, out bool more)
            {
                char separator = options.Separator;
                var span = line.AsSpan(position);
                int lead = 0;
                while (lead < span.Length && span[lead] != separator && char.IsWhiteSpace(span[lead])) lead++;
                if (lead == span.Length || span[lead] != '"')
                {
                    int end = span.IndexOf(separator);
                    more = end >= 0;
                    position += more ? end + 1 : span.Length;
                    return (more ? span[..end] : span).Trim();
                }
                int close = lead + 1;
                bool escaped = false;
                while (true)
                {
                    int quote = span[close..].IndexOf('"');
                    if (quote < 0)
                        throw Bad(LastRowCut()
                            ? $"the file is truncated: its last row, {_row}, ends inside the quoted field of column {Column(column)} (\"{Tail(span[lead..].ToString())}\")."
                            : $"row {_row}, column {Column(column)}: the quoted field \"{Tail(span[lead..].ToString())}\" has no closing quote on its line (a quoted field cannot span lines here).");
                    close += quote;
                    if (close + 1 < span.Length && span[close + 1] == '"') { escaped = true; close += 2; continue; }
                    break;
                }
                var content = span[(lead + 1)..close];
                int after = close + 1;
                while (after < span.Length && span[after] != separator && char.IsWhiteSpace(span[after])) after++;
                if (after < span.Length && span[after] != separator)
                    throw Bad($"row {_row}, column {Column(column)}: text after the closing quote of \"{content.ToString()}\" (a quoted field ends at its closing quote).");
                more = after < span.Length;
                position += more ? after + 1 : span.Length;
                return escaped ? content.ToString().Replace("\"\"", "\"").AsSpan().Trim() : content.Trim();
            }

            private void Data(string line)
            {
                if (_count == _labels.Length && !Regression) Array.Resize(ref _labels, _labels.Length * 2);
                if ((long)(_count + 1) * _targetCount > _targets.Length)
                    Array.Resize(ref _targets, (int)Math.Min(Array.MaxLength, Math.Max((long)_targets.Length * 2, (long)(_count + 1) * _targetCount)));
                var targets = _targets.AsSpan(_count * _targetCount, _targetCount);
                if ((long)(_count + 1) * _featureCount > _features.Length)
                    Array.Resize(ref _features, (int)Math.Min(Array.MaxLength, Math.Max((long)_features.Length * 2, (long)(_count + 1) * _featureCount)));
                var features = _features.AsSpan(_count * _featureCount, _featureCount);
                int column = 0, feature = 0, position = 0;
                bool more = true;
                while (more)
                {
                    if (column >= _columns) throw Bad($"row {_row} has more than the {_columns} columns of {(_header is null ? "row 1" : "the header")}.");
                    var text = NextField(line, ref position, column, out more);
                    if (text.IsEmpty)
                    {
                        if (!more && LastRowCut()) throw Bad($"the file is truncated: its last row, {_row}, ends after {column} of the {_columns} columns.");
                        throw Bad($"row {_row}, column {Column(column)}: the field is empty.");
                    }
                    if (column == _labelColumn && !Regression) _labels[_count] = Label(text, column);
                    else if (Regression && _targetSlot![column] >= 0) targets[_targetSlot[column]] = Number(text, column);
                    else
                    {
                        float value = Number(text, column);
                        float scaled = value * options.Scale;
                        if (!float.IsFinite(scaled))
                            throw Bad($"row {_row}, column {Column(column)}: {text.ToString()} times the scale {options.Scale.ToString(CultureInfo.InvariantCulture)} is {scaled.ToString(CultureInfo.InvariantCulture)}, not a finite number.");
                        features[feature++] = scaled;
                    }
                    column++;
                }
                if (column != _columns)
                {
                    if (LastRowCut()) throw Bad($"the file is truncated: its last row, {_row}, ends after {column} of the {_columns} columns (\"{Tail(line)}\").");
                    throw Bad($"row {_row} has {column} columns; {(_header is null ? "row 1" : "the header")} has {_columns}.");
                }
                _count++;
            }

            /// <summary>A row that is short is cut, not malformed, when it is the last of a plain file without a final line break.</summary>
            private bool LastRowCut() => unterminated && _reader is not null && _reader.Peek() < 0;

            private StreamReader? _reader;

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
                if (value != Math.Floor(value) || value < 0 || value >= int.MaxValue)
                    throw Bad($"row {_row}, column {Column(column)}: the label \"{text}\" is not a class index (a whole number in [0, {int.MaxValue})).");
                if (options.ClassCount is int classes && value >= classes)
                    throw Bad($"row {_row}, column {Column(column)}: the label {value.ToString(CultureInfo.InvariantCulture)} is outside the {classes} classes [0, {classes}).");
                return (int)value;
            }

            private string Column(int column)
                => _header is null || column >= _header.Length ? (column + 1).ToString(CultureInfo.InvariantCulture) : $"{column + 1} (\"{_header[column]}\")";

            private static bool IsNumber(ReadOnlySpan<char> text)
                => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

            private InvalidDataException Bad(string problem) => new($"{path}: {problem}");
        }
    }
}
