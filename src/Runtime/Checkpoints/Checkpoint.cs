using System;
using System.Buffers.Binary;
using System.IO;
using System.Globalization;
using System.Text;

namespace CompiledNet
{
    /// <summary>
    /// What <see cref="Trainer"/> needs besides the network to continue a run exactly: the rate its schedule starts
    /// from (lowered by every roll-back), the roll-backs left, the divergence watch, and early stopping's best epoch
    /// with that epoch's state.
    /// </summary>
    internal sealed record TrainingLoopState(
        float ScheduleBaseRate, int RollBacksLeft, LossWatchState Watch,
        double BestValidationLoss, int BestEpoch, int EpochsSinceBest, NetworkState? Best);

    /// <summary>A copy of everything a network trains: the buffers, the step counter, the mask generator.</summary>
    internal sealed record NetworkState(float[] Parameters, float[] OptimizerState, float[] Statistics, long Step, RngState? Masks);

    /// <summary>
    /// Saves and loads everything a compiled network needs to continue: parameters, optimizer state, batch-norm
    /// statistics, the step counter, the mask generator and the learning rate, plus — when the training loop saves —
    /// the epoch, the shuffle generator and the loop's own state (schedule, roll-backs, divergence watch, early
    /// stopping), so that <see cref="Trainer.Resume{TNet}"/> continues bit-identically, and — when the caller gives
    /// one — the <see cref="Standardizer"/> the network's inputs go through. Format version 3, little-endian:
    /// <code>
    /// "CNETCKPT" · u32 version · u64 fingerprint · i32 n · n bytes UTF-8 architecture · i64 step · i32 epoch
    /// · f32 learning rate · u8 has-mask-state [u32×4 f32 u8] · u8 has-shuffle-state [u32×4 f32 u8]
    /// · u8 has-loop-state [f32 schedule base rate · i32 roll-backs left · f64×3 watch (smoothed, best, first loss)
    ///   · i64 watched steps · f64 best validation loss · i32 best epoch · i32 epochs since best · u8 has-best-state]
    /// · u8 has-standardizer · i32 F (features, 0 without one)
    /// · i32 P · i32 S · i32 B · f32×P parameters · f32×S optimizer state · f32×B batch-norm statistics
    /// · [if has-best-state: i64 step · u8 has-mask-state [u32×4 f32 u8] · f32×P · f32×S · f32×B]
    /// · f32×F standardizer mean · f32×F standardizer standard deviation
    /// · u64 FNV-1a 64 of every byte before it
    /// </code>
    /// Version 2 is version 3 without the standardizer fields, and still loads as it is. Version 1 (no learning
    /// rate, no loop state) loads too; <see cref="Trainer.Resume{TNet}"/> refuses it, since it lacks what an exact
    /// resume needs. Reading checks the magic number, the version and every size in the header
    /// against the file's length before reading the rest, and never holds more than the network's own size in memory.
    /// Saving is atomic: the file is written beside the target under a name of its own (<c>NAME.tmp-PID-N</c>),
    /// flushed to disk, then renamed over it, so a crash mid-save leaves the previous checkpoint intact; the next save
    /// to the same path deletes temporary files that crashed processes left. Saves to one path from several threads
    /// of a process take turns; saves from several processes each write their own temporary file, and the last rename wins.
    /// </summary>
    public static class Checkpoint
    {
        /// <summary>The format version this library writes (it reads this and versions 1 and 2).</summary>
        public const int FormatVersion = 3;

        private static ReadOnlySpan<byte> Magic => "CNETCKPT"u8;

        /// <summary>Bytes of the header after the architecture, at most (version 3 with loop state).</summary>
        private const int MaxHeaderTail = 8 + 4 + 4 + 2 * 22 + 1 + 4 + 4 + 24 + 8 + 8 + 4 + 4 + 1 + 5 + 12;

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> SaveLocks = new(StringComparer.Ordinal);
        private static long _saveCounter;

        /// <summary>
        /// Saves <paramref name="net"/> to <paramref name="path"/> atomically: a reader sees the old file or the new one,
        /// never a part. The training loop's own checkpoints (<see cref="TrainingOptions.CheckpointPath"/>) add the epoch
        /// and the loop's state, so that <see cref="Trainer.Resume{TNet}"/> can continue them.
        /// </summary>
        public static void Save(ICompiledNetwork net, string path)
            => Save(net, path, null, null, null, null, static s => s);

        /// <summary>
        /// Saves <paramref name="net"/> as <see cref="Save(ICompiledNetwork, string)"/> does, together with the
        /// <paramref name="standardizer"/> its inputs go through (null: none), so that the model and its preprocessing
        /// travel as one file; <see cref="Load(ICompiledNetwork, string)"/> gives it back in <see cref="CheckpointInfo.Standardizer"/>.
        /// </summary>
        /// <exception cref="ArgumentException">The standardizer has another feature count than the network's input size.</exception>
        public static void Save(ICompiledNetwork net, string path, Standardizer? standardizer)
            => Save(net, path, null, null, null, standardizer, static s => s);

        /// <summary>Save with a stream wrapper (tests inject failures through it).</summary>
        internal static void Save(ICompiledNetwork net, string path, int? epoch, RngState? shuffleState, Func<Stream, Stream> wrap)
            => Save(net, path, epoch, shuffleState, null, null, wrap);

        internal static void Save(ICompiledNetwork net, string path, int? epoch, RngState? shuffleState, TrainingLoopState? loop, Func<Stream, Stream> wrap)
            => Save(net, path, epoch, shuffleState, loop, null, wrap);

        internal static void Save(ICompiledNetwork net, string path, int? epoch, RngState? shuffleState, TrainingLoopState? loop, Standardizer? standardizer, Func<Stream, Stream> wrap)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentException.ThrowIfNullOrEmpty(path);
            byte[] bytes = Serialize(net, epoch, shuffleState, loop, standardizer);
            string full = Path.GetFullPath(path);
            lock (SaveLocks.GetOrAdd(full, static _ => new object()))
            {
                DeleteStaleTemporaries(full);
                string temporary = TemporaryPrefix(full) + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" +
                    System.Threading.Interlocked.Increment(ref _saveCounter).ToString(CultureInfo.InvariantCulture);
                try
                {
                    using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
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
        }

        private static string TemporaryPrefix(string full) => full + ".tmp-";

        /// <summary>
        /// Deletes NAME.tmp-PID… files of processes that no longer run (a crash mid-save), and of this process: saves
        /// to one path within a process take turns under a lock, so none of this process's is in use.
        /// </summary>
        private static void DeleteStaleTemporaries(string full)
        {
            string? directory = Path.GetDirectoryName(full);
            if (directory is null || !Directory.Exists(directory)) return;
            string prefix = Path.GetFileName(full) + ".tmp-";
            foreach (string candidate in Directory.EnumerateFiles(directory, prefix + "*"))
            {
                string name = Path.GetFileName(candidate);
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                var rest = name.AsSpan(prefix.Length);
                int dash = rest.IndexOf('-');
                if (!int.TryParse(dash < 0 ? rest : rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
                if (pid != Environment.ProcessId && IsRunning(pid)) continue;
                try { File.Delete(candidate); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
            catch (System.ComponentModel.Win32Exception) { return true; } // exists but cannot be inspected
        }

        private static byte[] Serialize(ICompiledNetwork net, int? epoch, RngState? shuffleState, TrainingLoopState? loop, Standardizer? standardizer)
        {
            if (standardizer is not null && standardizer.FeatureSize != net.InputSize)
                throw new ArgumentException(
                    $"The standardizer has {standardizer.FeatureSize} features; the network takes {net.InputSize} inputs.", nameof(standardizer));
            int features = standardizer?.FeatureSize ?? 0;
            var architecture = Encoding.UTF8.GetBytes(net.Architecture);
            Span<float> parameters = net.Parameters, state = net.OptimizerState, statistics = net.BatchNormStatistics;
            long floats = parameters.Length + state.Length + statistics.Length;
            var best = loop?.Best;
            if (best is not null && (best.Parameters.Length != parameters.Length || best.OptimizerState.Length != state.Length || best.Statistics.Length != statistics.Length))
                throw new ArgumentException("The best-epoch state does not fit the network.", nameof(loop));
            long length = 8 + 4 + 8 + 4 + architecture.Length + 8 + 4 + 4 + 2 * 22 + 1 + (loop is null ? 0 : 4 + 4 + 24 + 8 + 8 + 4 + 4 + 1) + 5 + 12
                + 4 * floats + (best is null ? 0 : 8 + 22 + 4 * floats) + 8L * features + 8;
            if (length > Array.MaxLength) throw new InvalidOperationException($"The checkpoint would need {length} bytes, more than one array holds.");
            var bytes = new byte[length];
            var w = new Writer(bytes);
            w.Bytes(Magic);
            w.Int32(FormatVersion);
            w.UInt64(net.Fingerprint);
            w.Int32(architecture.Length);
            w.Bytes(architecture);
            w.Int64(net.Step);
            w.Int32(epoch ?? -1);
            w.Single(net.LearningRate);
            w.Rng(net.MaskGeneratorState);
            w.Rng(shuffleState);
            w.Byte(loop is null ? (byte)0 : (byte)1);
            if (loop is not null)
            {
                w.Single(loop.ScheduleBaseRate);
                w.Int32(loop.RollBacksLeft);
                w.Double(loop.Watch.Smoothed);
                w.Double(loop.Watch.Best);
                w.Double(loop.Watch.First);
                w.Int64(loop.Watch.Steps);
                w.Double(loop.BestValidationLoss);
                w.Int32(loop.BestEpoch);
                w.Int32(loop.EpochsSinceBest);
                w.Byte(best is null ? (byte)0 : (byte)1);
            }
            w.Byte(standardizer is null ? (byte)0 : (byte)1);
            w.Int32(features);
            w.Int32(parameters.Length);
            w.Int32(state.Length);
            w.Int32(statistics.Length);
            w.Floats(parameters);
            w.Floats(state);
            w.Floats(statistics);
            if (best is not null)
            {
                w.Int64(best.Step);
                w.Rng(best.Masks);
                w.Floats(best.Parameters);
                w.Floats(best.OptimizerState);
                w.Floats(best.Statistics);
            }
            if (standardizer is not null)
            {
                w.Floats(standardizer.Mean);
                w.Floats(standardizer.StandardDeviation);
            }
            w.UInt64(Fnv1a(bytes.AsSpan(0, w.Position)));
            return bytes;
        }

        /// <summary>
        /// Loads <paramref name="path"/> into <paramref name="net"/>, the learning rate included (a version-1 file
        /// leaves the rate as it is). The returned <see cref="CheckpointInfo"/> carries the standardizer saved with the
        /// network, if any (<see cref="Save(ICompiledNetwork, string, Standardizer?)"/>). A file of another network, a truncated or corrupted file throws
        /// <see cref="InvalidDataException"/> naming the file and the problem (for another network, both
        /// architectures); nothing is changed in <paramref name="net"/> unless the whole file is valid.
        /// </summary>
        public static CheckpointInfo Load(ICompiledNetwork net, string path)
        {
            ArgumentNullException.ThrowIfNull(net);
            return Restore(net, ReadCore(path, net));
        }

        /// <summary>
        /// Writes <paramref name="net"/> as a checkpoint to <paramref name="stream"/> (a blob, a response body, a
        /// memory stream), from its current position; the same bytes <see cref="Save(ICompiledNetwork, string)"/> writes.
        /// The stream is left open.
        /// </summary>
        public static void Write(ICompiledNetwork net, Stream stream) => Write(net, stream, null);

        /// <summary>
        /// Writes <paramref name="net"/> and the <paramref name="standardizer"/> its inputs go through (null: none) to
        /// <paramref name="stream"/>; the same bytes <see cref="Save(ICompiledNetwork, string, Standardizer?)"/> writes.
        /// The stream is left open.
        /// </summary>
        /// <exception cref="ArgumentException">The standardizer has another feature count than the network's input size.</exception>
        public static void Write(ICompiledNetwork net, Stream stream, Standardizer? standardizer)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(stream);
            stream.Write(Serialize(net, null, null, null, standardizer));
            stream.Flush();
        }

        /// <summary>
        /// Restores <paramref name="net"/> from a checkpoint read from <paramref name="stream"/> (from its current
        /// position to its end: an embedded resource, a downloaded blob), with the same checks as
        /// <see cref="Load(ICompiledNetwork, string)"/>; the network is unchanged when a check fails. The stream is left open.
        /// </summary>
        public static CheckpointInfo Read(ICompiledNetwork net, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(net);
            ArgumentNullException.ThrowIfNull(stream);
            using var source = Seekable(stream);
            return Restore(net, ReadCore(source.Stream, StreamName, net));
        }

        /// <summary>Reads and verifies a checkpoint (header and checksum) from <paramref name="stream"/> without a network.</summary>
        public static CheckpointInfo ReadInfo(Stream stream)
        {
            ArgumentNullException.ThrowIfNull(stream);
            using var source = Seekable(stream);
            return ReadCore(source.Stream, StreamName, null).Info;
        }

        private const string StreamName = "the checkpoint stream";

        /// <summary>The rest of <paramref name="stream"/> as a stream that starts at 0 and can seek (a copy when it is not one already).</summary>
        private static SeekableSource Seekable(Stream stream)
        {
            if (!stream.CanRead) throw new ArgumentException("The stream cannot be read.", nameof(stream));
            if (stream.CanSeek && stream.Position == 0) return new SeekableSource(stream, owned: false);
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            return new SeekableSource(copy, owned: true);
        }

        private readonly struct SeekableSource : IDisposable
        {
            private readonly bool _owned;

            public SeekableSource(Stream stream, bool owned) { Stream = stream; _owned = owned; }

            public Stream Stream { get; }

            public void Dispose() { if (_owned) Stream.Dispose(); }
        }

        private static CheckpointInfo Restore(ICompiledNetwork net, (CheckpointInfo Info, NetworkState? Contents) read)
        {
            var (info, contents) = read;
            var c = contents!;
            c.Parameters.CopyTo(net.Parameters);
            c.OptimizerState.CopyTo(net.OptimizerState);
            c.Statistics.CopyTo(net.BatchNormStatistics);
            net.RestoreStep(info.Step);
            if (c.Masks is not null) net.MaskGeneratorState = c.Masks;
            if (info.LearningRate is float rate) net.LearningRate = rate;
            return info;
        }

        /// <summary>
        /// Copies everything a checkpoint holds from <paramref name="source"/> into <paramref name="target"/>, a network
        /// of the same declaration: parameters, optimizer state, batch-norm statistics, step counter, mask generator and
        /// learning rate. The two share nothing afterwards, so <paramref name="target"/> can serve predictions from
        /// other threads while <paramref name="source"/> goes on training (see <see cref="ServingCopy{TNet}"/>). The
        /// source must not be training while it is copied.
        /// </summary>
        public static void CopyState(ICompiledNetwork source, ICompiledNetwork target)
        {
            ArgumentNullException.ThrowIfNull(source);
            ArgumentNullException.ThrowIfNull(target);
            if (ReferenceEquals(source, target)) throw new ArgumentException("The source and the target are the same network.", nameof(target));
            if (source.Fingerprint != target.Fingerprint)
                throw new ArgumentException(
                    $"The target is another network: \"{target.Architecture}\" (fingerprint {target.Fingerprint:X16}); the source is \"{source.Architecture}\" (fingerprint {source.Fingerprint:X16}).", nameof(target));
            source.Parameters.CopyTo(target.Parameters);
            source.OptimizerState.CopyTo(target.OptimizerState);
            source.BatchNormStatistics.CopyTo(target.BatchNormStatistics);
            target.RestoreStep(source.Step);
            if (source.MaskGeneratorState is RngState masks) target.MaskGeneratorState = masks;
            target.LearningRate = source.LearningRate;
        }

        /// <summary>Reads and verifies a checkpoint (header and checksum) without a network.</summary>
        public static CheckpointInfo ReadInfo(string path) => ReadCore(path, null).Info;

        /// <summary>
        /// Reads the header first (magic number, version, sizes), compares the length it implies with the file's,
        /// and — for a network — the fingerprint and buffer sizes with the network's, before the body is read; then
        /// reads the body (decoding it only for a network) while computing the checksum.
        /// </summary>
        private static (CheckpointInfo Info, NetworkState? Contents) ReadCore(string path, ICompiledNetwork? net)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            return ReadCore(file, path, net);
        }

        /// <summary>As <see cref="ReadCore(string, ICompiledNetwork?)"/> from a seekable stream that starts at 0; <paramref name="path"/> names it in messages.</summary>
        private static (CheckpointInfo Info, NetworkState? Contents) ReadCore(Stream file, string path, ICompiledNetwork? net)
        {
            long length = file.Length;
            var head = new byte[(int)Math.Min(length, 24)];
            ReadFully(file, head);
            if (head.Length < Magic.Length ? !Magic.StartsWith(head) : !head.AsSpan(0, Magic.Length).SequenceEqual(Magic))
                throw new InvalidDataException($"{path}: not a CompiledNet checkpoint (it does not start with \"CNETCKPT\"; it has {length} bytes).");
            var r = new Reader(head, Magic.Length, path);
            int version = r.Int32();
            if (version is not (1 or 2 or FormatVersion))
                throw new InvalidDataException($"{path}: checkpoint format version {version}; this library reads versions 1 to {FormatVersion}.");
            r.UInt64();
            int nameLength = r.Int32();
            if (nameLength < 0 || nameLength > 1 << 20 || nameLength > length - 24)
                throw new InvalidDataException(nameLength >= 0 && nameLength <= 1 << 20
                    ? $"{path}: the file is truncated: it ends after {length} bytes, inside its header (the architecture alone takes {nameLength})."
                    : $"{path}: corrupted header (architecture length {nameLength}).");

            head = new byte[(int)Math.Min(length, 24L + nameLength + MaxHeaderTail)];
            file.Position = 0;
            ReadFully(file, head);
            r = new Reader(head, 12, path);
            ulong fingerprint = r.UInt64();
            r.Int32();
            string architecture = Encoding.UTF8.GetString(r.Take(nameLength));
            long step = r.Int64();
            int epoch = r.Int32();
            float? rate = version >= 2 ? r.Single() : null;
            var masks = r.Rng();
            var shuffle = r.Rng();
            TrainingLoopState? loop = null;
            bool hasBest = false;
            if (version >= 2 && r.Byte() != 0)
            {
                float baseRate = r.Single();
                int rollBacksLeft = r.Int32();
                var watch = new LossWatchState(r.Double(), r.Double(), r.Double(), r.Int64());
                double bestLoss = r.Double();
                int bestEpoch = r.Int32(), sinceBest = r.Int32();
                hasBest = r.Byte() != 0;
                loop = new TrainingLoopState(baseRate, rollBacksLeft, watch, bestLoss, bestEpoch, sinceBest, null);
            }
            bool hasStandardizer = false;
            int features = 0;
            if (version >= 3)
            {
                byte flag = r.Byte();
                features = r.Int32();
                if (flag > 1 || features < 0 || (flag == 1) != (features > 0))
                    throw new InvalidDataException($"{path}: corrupted header (standardizer flag {flag}, {features} standardizer features).");
                hasStandardizer = flag == 1;
            }
            int p = r.Int32(), s = r.Int32(), b = r.Int32();
            if (p < 0 || s < 0 || b < 0) throw new InvalidDataException($"{path}: corrupted header (buffer sizes {p}, {s}, {b}).");
            int dataStart = r.Position;
            long floatBytes = 4L * ((long)p + s + b);
            long standardizerBytes = 8L * features;
            long expected = dataStart + floatBytes + (hasBest ? 8 + 22 + floatBytes : 0) + standardizerBytes + 8;
            if (length != expected)
                throw new InvalidDataException(length < expected
                    ? $"{path}: the file is truncated: {length} bytes, but its header describes {expected}."
                    : $"{path}: {length - expected} unexpected bytes after the {expected} its header describes.");
            var info = new CheckpointInfo
            {
                Fingerprint = fingerprint,
                Architecture = architecture,
                Step = step,
                Epoch = epoch >= 0 ? epoch : null,
                ShuffleState = shuffle,
                FormatVersion = version,
                LearningRate = rate,
            };

            if (net is not null)
            {
                if (fingerprint != net.Fingerprint)
                    throw new InvalidDataException(
                        $"{path}: the checkpoint is of another network. It holds \"{architecture}\" (fingerprint {fingerprint:X16}); this network is \"{net.Architecture}\" (fingerprint {net.Fingerprint:X16}).");
                if (p != net.Parameters.Length || s != net.OptimizerState.Length || b != net.BatchNormStatistics.Length)
                    throw new InvalidDataException(
                        $"{path}: the checkpoint holds {p} parameters, {s} optimizer-state values and {b} statistics; this network has {net.Parameters.Length}, {net.OptimizerState.Length} and {net.BatchNormStatistics.Length}.");
                if ((masks is null) != (net.MaskGeneratorState is null))
                    throw new InvalidDataException($"{path}: the checkpoint's mask-generator state does not fit this network.");
                if (hasStandardizer && features != net.InputSize)
                    throw new InvalidDataException($"{path}: the checkpoint's standardizer has {features} features; this network takes {net.InputSize} inputs.");
            }

            // The body: hashed as it streams; decoded only for a network (its size now matches the network's).
            ulong hash = Fnv1a(head.AsSpan(0, dataStart));
            string? standardizerProblem = null;
            file.Position = dataStart;
            NetworkState? contents = null;
            if (net is not null)
            {
                contents = ReadBuffers(file, p, s, b, step, masks, ref hash);
                if (hasBest)
                {
                    var extra = new byte[30];
                    ReadFully(file, extra);
                    hash = Fnv1a(extra, hash);
                    var er = new Reader(extra, 0, path);
                    long bestStep = er.Int64();
                    var bestMasks = er.Rng();
                    loop = loop! with { Best = ReadBuffers(file, p, s, b, bestStep, bestMasks, ref hash) };
                }
            }
            else
            {
                var chunk = new byte[1 << 16];
                for (long left = length - 8 - standardizerBytes - dataStart; left > 0;)
                {
                    int n = file.Read(chunk.AsSpan(0, (int)Math.Min(chunk.Length, left)));
                    if (n == 0) throw new InvalidDataException($"{path}: the file is truncated: it ended while being read.");
                    hash = Fnv1a(chunk.AsSpan(0, n), hash);
                    left -= n;
                }
            }
            Standardizer? standardizer = null;
            if (hasStandardizer)
            {
                long standardizerOffset = length - 8 - standardizerBytes;
                var saved = new byte[standardizerBytes];
                if (ReadFully(file, saved) < saved.Length) throw new InvalidDataException($"{path}: the file is truncated: it ended while being read.");
                hash = Fnv1a(saved, hash);
                var mean = new float[features];
                var deviation = new float[features];
                for (int f = 0; f < features; f++)
                {
                    mean[f] = BinaryPrimitives.ReadSingleLittleEndian(saved.AsSpan(4 * f));
                    deviation[f] = BinaryPrimitives.ReadSingleLittleEndian(saved.AsSpan(4 * (features + f)));
                }
                standardizerProblem = Standardizer.Problem(mean, deviation);
                if (standardizerProblem is null) standardizer = new Standardizer(mean, deviation);
                else standardizerProblem = $"{path}: the standardizer at byte {standardizerOffset} (mean, then standard deviation, {features} values each) is invalid: {standardizerProblem}";
            }
            Span<byte> stored = stackalloc byte[8];
            if (ReadFully(file, stored) < 8) throw new InvalidDataException($"{path}: the file is truncated: it ended while being read.");
            ulong expectedHash = BinaryPrimitives.ReadUInt64LittleEndian(stored);
            if (expectedHash != hash)
                throw new InvalidDataException($"{path}: the checkpoint is corrupted (checksum {hash:X16} does not match the stored {expectedHash:X16}).");
            // Checked after the checksum: a corrupted file is reported as corrupted, not as a bad standardizer.
            if (standardizerProblem is not null) throw new InvalidDataException(standardizerProblem);
            return (info with { Loop = loop, Standardizer = standardizer }, contents);

            NetworkState ReadBuffers(Stream source, int pc, int sc, int bc, long atStep, RngState? maskState, ref ulong h)
            {
                var bytes = new byte[4L * ((long)pc + sc + bc)];
                if (ReadFully(source, bytes) < bytes.Length) throw new InvalidDataException($"{path}: the file is truncated: it ended while being read.");
                h = Fnv1a(bytes, h);
                float[] Take(int from, int count)
                {
                    var values = new float[count];
                    for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * (from + i)));
                    return values;
                }
                return new NetworkState(Take(0, pc), Take(pc, sc), Take(pc + sc, bc), atStep, maskState);
            }
        }

        private static int ReadFully(Stream stream, Span<byte> buffer) => stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

        /// <summary>FNV-1a 64: every step is a bijection of the state, so any single changed byte changes the result.</summary>
        private static ulong Fnv1a(ReadOnlySpan<byte> data, ulong hash = 14695981039346656037UL)
        {
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
            public void Byte(byte value) { _bytes[Position++] = value; }
            public void Single(float value) { BinaryPrimitives.WriteSingleLittleEndian(_bytes[Position..], value); Position += 4; }
            public void Double(double value) { BinaryPrimitives.WriteDoubleLittleEndian(_bytes[Position..], value); Position += 8; }

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
            public byte Byte() => Need(1)[0];
            public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Need(4));
            public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Need(8));

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
        }
    }
}
