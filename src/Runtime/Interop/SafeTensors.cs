using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace CompiledNet
{
    /// <summary>
    /// Reads and writes a network's weights in the safetensors format, which PyTorch (<c>safetensors.torch</c>),
    /// Hugging Face tools and many other runtimes read: an 8-byte little-endian header length, a UTF-8 JSON header
    /// naming each tensor with its dtype, shape and byte range, then the raw little-endian tensors.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Tensor names follow the ONNX export: <c>layer1.weight</c>, <c>layer1.bias</c> and, for a batch-normalised
    /// layer, <c>layer1.gamma</c>, <c>layer1.beta</c>, <c>layer1.mean</c>, <c>layer1.variance</c> (the population
    /// statistics used at inference). Weights are written in PyTorch's <c>nn.Linear</c> order, <c>[out, in]</c>
    /// (CompiledNet stores them <c>[in][out]</c> and transposes on the way in and out), so a layer's weight and bias
    /// load into <c>torch.nn.Linear(in, out)</c> as they are; γ, β, mean and variance are <c>BatchNorm1d</c>'s
    /// <c>weight</c>, <c>bias</c>, <c>running_mean</c> and <c>running_var</c> (ε = 1e-5). A maxout layer's weight has
    /// <c>units × pieces</c> rows, unit-major: row <c>u·pieces + k</c> is piece k of unit u. A convolutional network's
    /// convolutions come first, as <c>conv1.weight</c> <c>[out, in, kH, kW]</c> and <c>conv1.bias</c> (numbered among
    /// the convolution and pooling layers), which load into <c>torch.nn.Conv2d</c> as they are; a batch-normalised
    /// convolution has <c>conv1.gamma</c>, <c>conv1.beta</c>, <c>conv1.mean</c> and <c>conv1.variance</c> instead of a
    /// bias (<c>BatchNorm2d</c>'s, one per channel).
    /// </para>
    /// <para>
    /// Only what inference needs is written; optimizer state, step counts and random-generator states belong in a
    /// <see cref="Checkpoint"/>. The header's <c>__metadata__</c> carries the network's architecture text and
    /// fingerprint for people and tools reading the file; <see cref="Load(ICompiledNetwork, string)"/> checks every
    /// tensor's name, dtype and shape against the network, not the fingerprint, so weights trained elsewhere load
    /// into any network of the same shapes.
    /// </para>
    /// </remarks>
    public static class SafeTensors
    {
        /// <summary>The largest header this reader accepts (the format's own reference reader uses the same bound).</summary>
        public const int MaxHeaderBytes = 100_000_000;

        /// <summary>Writes the weights of <paramref name="net"/> to <paramref name="path"/>.</summary>
        public static void Save(ICompiledNetwork net, string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            using var file = File.Create(path);
            Write(net, file);
        }

        /// <summary>Writes the weights of <paramref name="net"/> to <paramref name="stream"/>.</summary>
        public static void Write(ICompiledNetwork net, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(stream);
            var tensors = Tensors(net);
            long offset = 0;
            var json = new MemoryStream();
            using (var writer = new Utf8JsonWriter(json))
            {
                writer.WriteStartObject();
                writer.WriteStartObject("__metadata__");
                writer.WriteString("format", "pt");
                writer.WriteString("producer", "CompiledNet " + OnnxExport.ProducerVersion());
                writer.WriteString("architecture", net.Architecture);
                writer.WriteString("fingerprint", "0x" + net.Fingerprint.ToString("X16", System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteString("weight_layout", "[out, in] (torch.nn.Linear)");
                writer.WriteEndObject();
                foreach (var t in tensors)
                {
                    writer.WriteStartObject(t.Name);
                    writer.WriteString("dtype", "F32");
                    writer.WriteStartArray("shape");
                    foreach (int d in t.Shape) writer.WriteNumberValue(d);
                    writer.WriteEndArray();
                    writer.WriteStartArray("data_offsets");
                    writer.WriteNumberValue(offset);
                    writer.WriteNumberValue(offset + 4L * t.Count);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    offset += 4L * t.Count;
                }
                writer.WriteEndObject();
            }
            // The header is padded with spaces to a multiple of 8 bytes, so the tensors that follow are aligned.
            int length = (int)json.Length;
            int padded = (length + 7) & ~7;
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
            stream.Write(prefix);
            stream.Write(json.GetBuffer(), 0, length);
            for (int i = length; i < padded; i++) stream.WriteByte((byte)' ');

            var buffer = new byte[4096];
            var parameters = net.Parameters;
            var statistics = net.BatchNormStatistics;
            foreach (var t in tensors)
            {
                int filled = 0;
                for (int i = 0; i < t.Count; i++)
                {
                    float value = t.Source == Source.Statistics ? statistics[t.Index(i)] : parameters[t.Index(i)];
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(filled), value);
                    filled += 4;
                    if (filled == buffer.Length) { stream.Write(buffer, 0, filled); filled = 0; }
                }
                stream.Write(buffer, 0, filled);
            }
        }

        /// <summary>
        /// Reads weights written by <see cref="Save"/> (or by any tool using the same names and shapes) into
        /// <paramref name="net"/>. Nothing is changed unless the whole file is valid for this network.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not safetensors, is truncated, or its tensors do not match the network; the message names the tensor and the sizes.</exception>
        public static void Load(ICompiledNetwork net, string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            using var file = File.OpenRead(path);
            try
            {
                Read(net, file);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
        }

        /// <summary>Reads weights from <paramref name="stream"/> into <paramref name="net"/>; see <see cref="Load(ICompiledNetwork, string)"/>.</summary>
        public static void Read(ICompiledNetwork net, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(stream);
            Span<byte> prefix = stackalloc byte[8];
            int got = ReadAtMost(stream, prefix);
            if (got < 8) throw new InvalidDataException($"truncated: {got} bytes, a safetensors file starts with an 8-byte header length.");
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength == 0 || headerLength > MaxHeaderBytes)
                throw new InvalidDataException($"not a safetensors file: header length {headerLength} at offset 0 is outside 1..{MaxHeaderBytes}.");
            if (stream.CanSeek && stream.Length - 8 < (long)headerLength)
                throw new InvalidDataException($"truncated: the header declares {headerLength} bytes but only {stream.Length - 8} follow offset 8.");
            var header = new byte[headerLength];
            got = ReadAtMost(stream, header);
            if (got < header.Length) throw new InvalidDataException($"truncated: the header declares {headerLength} bytes but only {got} follow offset 8.");

            var expected = Tensors(net);
            var entries = ParseHeader(header, expected);
            long dataLength = 0;
            foreach (var t in expected) dataLength += 4L * t.Count;
            long dataStart = 8 + (long)headerLength;
            if (stream.CanSeek && stream.Length - dataStart < dataLength)
                throw Truncated(stream.Length - dataStart);
            if (stream.CanSeek && stream.Length - dataStart > dataLength)
                throw new InvalidDataException($"the tensors take {stream.Length - dataStart} bytes after the header (offset {dataStart}), but this network's weights take {dataLength} bytes.");

            var data = new byte[dataLength];
            got = ReadAtMost(stream, data);
            if (got < data.Length) throw Truncated(got);
            if (stream.ReadByte() >= 0) throw new InvalidDataException($"{dataLength} tensor bytes were expected after the header (offset {dataStart}), but the file goes on.");

            var parameters = net.Parameters;
            var statistics = net.BatchNormStatistics;
            var staged = new List<(Tensor Tensor, float[] Values)>();
            foreach (var t in expected)
            {
                long begin = entries[t.Name];
                var values = new float[t.Count];
                for (int i = 0; i < values.Length; i++)
                {
                    float v = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan((int)(begin + 4L * i)));
                    if (!float.IsFinite(v)) throw new InvalidDataException($"tensor {t.Name}: element {i} is {v}; weights must be finite.");
                    values[i] = v;
                }
                staged.Add((t, values));
            }
            // From here on nothing can fail: the network changes only now.
            foreach (var (t, values) in staged)
                for (int i = 0; i < values.Length; i++)
                {
                    if (t.Source == Source.Statistics) statistics[t.Index(i)] = values[i];
                    else parameters[t.Index(i)] = values[i];
                }

            // The tensor the data ends in, with its place in the file.
            InvalidDataException Truncated(long available)
            {
                foreach (var t in expected)
                {
                    long begin = entries[t.Name], end = begin + 4L * t.Count;
                    if (available < end)
                        return new InvalidDataException(
                            $"truncated: the file ends at offset {dataStart + available}, inside tensor {t.Name} (shape [{string.Join(", ", t.Shape)}], " +
                            $"offsets {dataStart + begin} to {dataStart + end}); the tensors need {dataLength} bytes after the header, {available} are there.");
                }
                return new InvalidDataException($"truncated: {available} of {dataLength} tensor bytes after the header (offset {dataStart}).");
            }
        }

        private static Dictionary<string, long> ParseHeader(byte[] header, List<Tensor> expected)
        {
            var begins = new Dictionary<string, long>(StringComparer.Ordinal);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(header.AsMemory().TrimEnd((byte)' '));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"the header is not valid JSON: {e.Message}", e);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException("the header is not a JSON object.");
                var wanted = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                foreach (var t in expected) wanted[t.Name] = t;
                var ranges = new List<(long Begin, long End, string Name)>();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Name == "__metadata__") continue;
                    if (!wanted.TryGetValue(property.Name, out var t))
                        throw new InvalidDataException($"tensor {property.Name} is not a weight of this network (it has {string.Join(", ", wanted.Keys)}).");
                    var e = property.Value;
                    string dtype = e.TryGetProperty("dtype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "(missing)";
                    if (dtype != "F32") throw new InvalidDataException($"tensor {t.Name}: dtype {dtype}, this network needs F32 (32-bit floats; the only dtype read).");
                    var shape = new List<long>();
                    if (e.TryGetProperty("shape", out var s) && s.ValueKind == JsonValueKind.Array)
                        foreach (var x in s.EnumerateArray()) shape.Add(x.TryGetInt64(out long v) ? v : -1);
                    if (!ShapeEquals(shape, t.Shape))
                        throw new InvalidDataException($"tensor {t.Name}: shape [{string.Join(", ", shape)}], this network needs [{string.Join(", ", t.Shape)}].");
                    if (!e.TryGetProperty("data_offsets", out var o) || o.ValueKind != JsonValueKind.Array || o.GetArrayLength() != 2
                        || !o[0].TryGetInt64(out long begin) || !o[1].TryGetInt64(out long end))
                        throw new InvalidDataException($"tensor {t.Name}: data_offsets must be two integers.");
                    if (end - begin != 4L * t.Count || begin < 0)
                        throw new InvalidDataException($"tensor {t.Name}: data_offsets [{begin}, {end}) hold {end - begin} bytes, its shape needs {4L * t.Count}.");
                    if (!begins.TryAdd(t.Name, begin)) throw new InvalidDataException($"tensor {t.Name} appears twice in the header.");
                    ranges.Add((begin, end, t.Name));
                }
                foreach (var t in expected)
                    if (!begins.ContainsKey(t.Name))
                        throw new InvalidDataException(
                            $"tensor {t.Name} is missing: this network needs it as F32 [{string.Join(", ", t.Shape)}]; the file has {(begins.Count == 0 ? "no tensors" : string.Join(", ", begins.Keys))}.");
                // The byte buffer must be covered exactly, without holes or overlaps (as the format requires).
                ranges.Sort((a, b) => a.Begin.CompareTo(b.Begin));
                long at = 0;
                foreach (var r in ranges)
                {
                    if (r.Begin != at) throw new InvalidDataException($"tensor {r.Name} starts at byte {r.Begin} of the data, expected {at}: the tensors must cover the data without holes or overlaps.");
                    at = r.End;
                }
            }
            return begins;
        }

        private static bool ShapeEquals(List<long> shape, int[] expected)
        {
            if (shape.Count != expected.Length) return false;
            for (int i = 0; i < expected.Length; i++) if (shape[i] != expected[i]) return false;
            return true;
        }

        private static int ReadAtMost(Stream stream, Span<byte> buffer) => stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

        private enum Source { Parameters, Statistics }

        /// <summary>One tensor of the file and where each of its elements lives in the network's buffers.</summary>
        private sealed class Tensor
        {
            public Tensor(string name, int[] shape, Source source, int offset, int transposeColumns)
            {
                Name = name;
                Shape = shape;
                Source = source;
                Offset = offset;
                TransposeColumns = transposeColumns;
                Count = 1;
                foreach (int d in shape) Count *= d;
            }

            public string Name { get; }
            public int[] Shape { get; }
            public Source Source { get; }
            public int Offset { get; }
            public int Count { get; }

            /// <summary>For a weight, the number of inputs: element [o, i] of the file is W[i, o] of the network.</summary>
            public int TransposeColumns { get; }

            public int Index(int i)
            {
                if (TransposeColumns == 0) return Offset + i;
                int rows = Shape[0]; // outputs
                int o = i / TransposeColumns, input = i % TransposeColumns;
                return Offset + input * rows + o;
            }
        }

        private static List<Tensor> Tensors(ICompiledNetwork net)
        {
            var list = new List<Tensor>();
            // Convolutions first: weights [out, in, kH, kW] as the network stores them (the PyTorch and ONNX order).
            if (net is IConvolutional convolutional)
                for (int k = 0; k < convolutional.FeatureLayers.Count; k++)
                {
                    var f = convolutional.FeatureLayers[k];
                    if (f.Kind != FeatureLayerKind.Conv2D) continue;
                    list.Add(new Tensor($"conv{k + 1}.weight", new[] { f.OutputChannels, f.InputChannels, f.KernelHeight, f.KernelWidth }, Source.Parameters, f.WeightOffset!.Value, 0));
                    if (f.BiasOffset is int biasOffset) list.Add(new Tensor($"conv{k + 1}.bias", new[] { f.OutputChannels }, Source.Parameters, biasOffset, 0));
                    if (f.GammaOffset is int gamma)
                    {
                        // per-channel batch norm: BatchNorm2d's weight, bias, running_mean and running_var
                        list.Add(new Tensor($"conv{k + 1}.gamma", new[] { f.OutputChannels }, Source.Parameters, gamma, 0));
                        list.Add(new Tensor($"conv{k + 1}.beta", new[] { f.OutputChannels }, Source.Parameters, f.BetaOffset!.Value, 0));
                        list.Add(new Tensor($"conv{k + 1}.mean", new[] { f.OutputChannels }, Source.Statistics, f.StatisticsOffset!.Value, 0));
                        list.Add(new Tensor($"conv{k + 1}.variance", new[] { f.OutputChannels }, Source.Statistics, f.StatisticsOffset!.Value + f.OutputChannels, 0));
                    }
                }
            for (int l = 0; l < net.Layers.Count; l++)
            {
                var layer = net.Layers[l];
                string p = $"layer{l + 1}";
                list.Add(new Tensor($"{p}.weight", new[] { layer.Width, layer.Inputs }, Source.Parameters, layer.WeightOffset, layer.Inputs));
                if (layer.Bias) list.Add(new Tensor($"{p}.bias", new[] { layer.Width }, Source.Parameters, layer.BiasOffset!.Value, 0));
                if (layer.BatchNorm)
                {
                    list.Add(new Tensor($"{p}.gamma", new[] { layer.Units }, Source.Parameters, layer.GammaOffset!.Value, 0));
                    list.Add(new Tensor($"{p}.beta", new[] { layer.Units }, Source.Parameters, layer.BetaOffset!.Value, 0));
                    list.Add(new Tensor($"{p}.mean", new[] { layer.Units }, Source.Statistics, layer.StatisticsOffset!.Value, 0));
                    list.Add(new Tensor($"{p}.variance", new[] { layer.Units }, Source.Statistics, layer.StatisticsOffset!.Value + layer.Units, 0));
                }
            }
            return list;
        }
    }
}
