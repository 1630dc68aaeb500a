using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace CompiledNet
{
    /// <summary>What a checkpoint file says about itself.</summary>
    /// <param name="Fingerprint">The network declaration's fingerprint.</param>
    /// <param name="Architecture">The network declaration in words.</param>
    /// <param name="Step">Optimizer steps taken when it was saved.</param>
    /// <param name="Epoch">Epochs completed when it was saved, or −1 if not given.</param>
    /// <param name="ShuffleState">The training loop's shuffle generator, if it was saved.</param>
    public sealed record CheckpointInfo(ulong Fingerprint, string Architecture, long Step, int Epoch, RngState? ShuffleState);

    /// <summary>
    /// Saves and loads everything a compiled network needs to continue: parameters, optimizer state, batch-norm
    /// statistics, the step counter and the mask generator, plus the epoch and the shuffle generator of the training
    /// loop when given. Format version 1, little-endian:
    /// <code>
    /// "CNETCKPT" · u32 version · u64 fingerprint · i32 n · n bytes UTF-8 architecture · i64 step · i32 epoch
    /// · u8 has-mask-state [u32×4 f32 u8] · u8 has-shuffle-state [u32×4 f32 u8]
    /// · i32 P · i32 S · i32 B · f32×P parameters · f32×S optimizer state · f32×B batch-norm statistics
    /// · u64 FNV-1a 64 of every byte before it
    /// </code>
    /// Saving is atomic: the file is written beside the target, flushed to disk, then renamed over it, so a crash
    /// mid-save leaves the previous checkpoint intact.
    /// </summary>
    public static class Checkpoint
    {
        /// <summary>The format version this library writes and reads.</summary>
        public const int FormatVersion = 1;

        private static ReadOnlySpan<byte> Magic => "CNETCKPT"u8;

        /// <summary>Saves <paramref name="net"/> to <paramref name="path"/> atomically.</summary>
        public static void Save(ICheckpointable net, string path, int epoch = -1, RngState? shuffleState = null)
            => Save(net, path, epoch, shuffleState, static s => s);

        /// <summary>Save with a stream wrapper (tests inject failures through it).</summary>
        internal static void Save(ICheckpointable net, string path, int epoch, RngState? shuffleState, Func<Stream, Stream> wrap)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentException.ThrowIfNullOrEmpty(path);
            byte[] bytes = Serialize(net, epoch, shuffleState);
            string full = Path.GetFullPath(path);
            string temporary = full + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            try
            {
                using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    var stream = wrap(file);
                    stream.Write(bytes);
                    stream.Flush();
                    file.Flush(flushToDisk: true);
                }
                File.Move(temporary, full, overwrite: true);
            }
            catch
            {
                try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
        }

        private static byte[] Serialize(ICheckpointable net, int epoch, RngState? shuffleState)
        {
            var architecture = Encoding.UTF8.GetBytes(net.Architecture);
            Span<float> parameters = net.Parameters, state = net.OptimizerState, statistics = net.BatchNormStatistics;
            int length = 8 + 4 + 8 + 4 + architecture.Length + 8 + 4 + 2 * (1 + 21) + 12
                + 4 * (parameters.Length + state.Length + statistics.Length) + 8;
            var bytes = new byte[length];
            var w = new Writer(bytes);
            w.Bytes(Magic);
            w.Int32(FormatVersion);
            w.UInt64(net.Fingerprint);
            w.Int32(architecture.Length);
            w.Bytes(architecture);
            w.Int64(net.Step);
            w.Int32(epoch);
            w.Rng(net.MaskGeneratorState);
            w.Rng(shuffleState);
            w.Int32(parameters.Length);
            w.Int32(state.Length);
            w.Int32(statistics.Length);
            w.Floats(parameters);
            w.Floats(state);
            w.Floats(statistics);
            w.UInt64(Fnv1a(bytes.AsSpan(0, w.Position)));
            return bytes;
        }

        /// <summary>
        /// Loads <paramref name="path"/> into <paramref name="net"/>. A file of another network, a truncated or
        /// corrupted file throws <see cref="InvalidDataException"/> naming the file and the problem (for another network,
        /// both architectures); nothing is changed in <paramref name="net"/> unless the whole file is valid.
        /// </summary>
        public static CheckpointInfo Load(ICheckpointable net, string path)
        {
            ArgumentNullException.ThrowIfNull(net);
            var (info, bytes, body) = Read(path);
            if (info.Fingerprint != net.Fingerprint)
                throw new InvalidDataException(
                    $"{path}: the checkpoint is of another network. It holds \"{info.Architecture}\" (fingerprint {info.Fingerprint:X16}); this network is \"{net.Architecture}\" (fingerprint {net.Fingerprint:X16}).");
            var r = new Reader(bytes, body, path);
            var mask = r.Rng();
            r.Rng();
            int p = r.Int32(), s = r.Int32(), b = r.Int32();
            if (p != net.Parameters.Length || s != net.OptimizerState.Length || b != net.BatchNormStatistics.Length)
                throw new InvalidDataException(
                    $"{path}: the checkpoint holds {p} parameters, {s} optimizer-state values and {b} statistics; this network has {net.Parameters.Length}, {net.OptimizerState.Length} and {net.BatchNormStatistics.Length}.");
            if ((mask is null) != (net.MaskGeneratorState is null))
                throw new InvalidDataException($"{path}: the checkpoint's mask-generator state does not fit this network.");
            r.Floats(net.Parameters);
            r.Floats(net.OptimizerState);
            r.Floats(net.BatchNormStatistics);
            net.RestoreStep(info.Step);
            if (mask is not null) net.MaskGeneratorState = mask;
            return info;
        }

        /// <summary>Reads and verifies a checkpoint's header without a network.</summary>
        public static CheckpointInfo ReadInfo(string path) => Read(path).Info;

        private static (CheckpointInfo Info, byte[] Bytes, int Body) Read(string path)
        {
            byte[] bytes = File.ReadAllBytes(path);
            var r = new Reader(bytes, 0, path);
            if (bytes.Length < Magic.Length && Magic.StartsWith(bytes))
                throw new InvalidDataException($"{path}: the file is truncated: it ends after {bytes.Length} bytes, inside its header.");
            if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
                throw new InvalidDataException($"{path}: not a CompiledNet checkpoint (it does not start with \"CNETCKPT\").");
            r.Skip(Magic.Length);
            int version = r.Int32();
            if (version != FormatVersion)
                throw new InvalidDataException($"{path}: checkpoint format version {version}; this library reads version {FormatVersion}.");
            ulong fingerprint = r.UInt64();
            int nameLength = r.Int32();
            if (nameLength < 0 || nameLength > 1 << 20) throw new InvalidDataException($"{path}: corrupted header (architecture length {nameLength}).");
            string architecture = Encoding.UTF8.GetString(r.Take(nameLength));
            long step = r.Int64();
            int epoch = r.Int32();
            int body = r.Position;
            r.Rng();
            var shuffle = r.Rng();
            int p = r.Int32(), s = r.Int32(), b = r.Int32();
            if (p < 0 || s < 0 || b < 0) throw new InvalidDataException($"{path}: corrupted header (buffer sizes {p}, {s}, {b}).");
            long expected = r.Position + 4L * ((long)p + s + b) + 8;
            if (bytes.Length != expected)
                throw new InvalidDataException(bytes.Length < expected
                    ? $"{path}: the file is truncated: {bytes.Length} bytes, but its header describes {expected}."
                    : $"{path}: {bytes.Length - expected} unexpected bytes after the {expected} its header describes.");
            ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8));
            ulong actual = Fnv1a(bytes.AsSpan(0, bytes.Length - 8));
            if (stored != actual)
                throw new InvalidDataException($"{path}: the checkpoint is corrupted (checksum {actual:X16} does not match the stored {stored:X16}).");
            return (new CheckpointInfo(fingerprint, architecture, step, epoch, shuffle), bytes, body);
        }

        /// <summary>FNV-1a 64: every step is a bijection of the state, so any single changed byte changes the result.</summary>
        private static ulong Fnv1a(ReadOnlySpan<byte> data)
        {
            ulong hash = 14695981039346656037UL;
            foreach (byte b in data)
            {
                hash ^= b;
                hash *= 1099511628211UL;
            }
            return hash;
        }

        private ref struct Writer
        {
            private readonly Span<byte> _bytes;
            public int Position;

            public Writer(Span<byte> bytes) { _bytes = bytes; Position = 0; }

            public void Bytes(ReadOnlySpan<byte> value) { value.CopyTo(_bytes[Position..]); Position += value.Length; }
            public void Int32(int value) { BinaryPrimitives.WriteInt32LittleEndian(_bytes[Position..], value); Position += 4; }
            public void Int64(long value) { BinaryPrimitives.WriteInt64LittleEndian(_bytes[Position..], value); Position += 8; }
            public void UInt64(ulong value) { BinaryPrimitives.WriteUInt64LittleEndian(_bytes[Position..], value); Position += 8; }

            public void Rng(RngState? state)
            {
                _bytes[Position++] = state is null ? (byte)0 : (byte)1;
                var s = state ?? default;
                BinaryPrimitives.WriteUInt32LittleEndian(_bytes[Position..], s.S0);
                BinaryPrimitives.WriteUInt32LittleEndian(_bytes[(Position + 4)..], s.S1);
                BinaryPrimitives.WriteUInt32LittleEndian(_bytes[(Position + 8)..], s.S2);
                BinaryPrimitives.WriteUInt32LittleEndian(_bytes[(Position + 12)..], s.S3);
                BinaryPrimitives.WriteSingleLittleEndian(_bytes[(Position + 16)..], s.Spare);
                _bytes[Position + 20] = s.HasSpare ? (byte)1 : (byte)0;
                Position += 21;
            }

            public void Floats(ReadOnlySpan<float> values)
            {
                foreach (float v in values) { BinaryPrimitives.WriteSingleLittleEndian(_bytes[Position..], v); Position += 4; }
            }
        }

        private ref struct Reader
        {
            private readonly ReadOnlySpan<byte> _bytes;
            private readonly string _path;
            public int Position;

            public Reader(ReadOnlySpan<byte> bytes, int position, string path) { _bytes = bytes; Position = position; _path = path; }

            private ReadOnlySpan<byte> Need(int count)
            {
                if (Position + count > _bytes.Length)
                    throw new InvalidDataException($"{_path}: the file is truncated: it ends after {_bytes.Length} bytes, inside its header.");
                var span = _bytes.Slice(Position, count);
                Position += count;
                return span;
            }

            public void Skip(int count) => Need(count);
            public ReadOnlySpan<byte> Take(int count) => Need(count);
            public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Need(4));
            public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Need(8));
            public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Need(8));

            public RngState? Rng()
            {
                var s = Need(22);
                if (s[0] == 0) return null;
                var state = new RngState(
                    BinaryPrimitives.ReadUInt32LittleEndian(s[1..]), BinaryPrimitives.ReadUInt32LittleEndian(s[5..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(s[9..]), BinaryPrimitives.ReadUInt32LittleEndian(s[13..]),
                    BinaryPrimitives.ReadSingleLittleEndian(s[17..]), s[21] != 0);
                if ((state.S0 | state.S1 | state.S2 | state.S3) == 0)
                    throw new InvalidDataException($"{_path}: corrupted generator state (all zero).");
                return state;
            }

            public void Floats(Span<float> target)
            {
                var source = Need(4 * target.Length);
                for (int i = 0; i < target.Length; i++) target[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
            }
        }
    }
}
