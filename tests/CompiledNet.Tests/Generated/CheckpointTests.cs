using System;
using System.IO;
using System.Linq;
using CompiledNet.Tests.Networks;
using Xunit;

namespace CompiledNet.Tests.Generated;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnet-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static (float[] Xs, float[] Ts) Batch(int seed)
    {
        var rng = new Random(seed);
        var xs = new float[6 * 5];
        var ts = new float[6 * 3];
        for (int j = 0; j < xs.Length; j++) xs[j] = (float)(rng.NextDouble() * 2 - 1);
        for (int j = 0; j < ts.Length; j++) ts[j] = (float)rng.NextDouble();
        return (xs, ts);
    }

    [Fact]
    public void RoundTripRestoresEverything_AndTrainingContinuesBitIdentically()
    {
        // CombinedNet: batch norm, dropout, DropConnect, Adam — every kind of state.
        var original = new CombinedNet(1);
        for (int i = 0; i < 7; i++) { var (xs, ts) = Batch(i); original.TrainBatch(xs, ts); }
        string path = PathOf("combined.ckpt");
        Checkpoint.Save(original, path, 3, null, static s => s);

        var restored = new CombinedNet(99);
        var info = Checkpoint.Load(restored, path);
        Assert.Equal(3, info.Epoch);
        Assert.Equal(7, restored.Step);
        Assert.Equal(CombinedNet.Fingerprint, info.Fingerprint);
        Assert.Equal(original.Parameters.ToArray(), restored.Parameters.ToArray());
        Assert.Equal(original.OptimizerState.ToArray(), restored.OptimizerState.ToArray());
        Assert.Equal(original.BatchNormStatistics.ToArray(), restored.BatchNormStatistics.ToArray());

        for (int i = 7; i < 12; i++)
        {
            var (xs, ts) = Batch(i);
            Assert.Equal(original.TrainBatch(xs, ts), restored.TrainBatch(xs, ts));
        }
        Assert.Equal(original.Parameters.ToArray(), restored.Parameters.ToArray()); // same masks, same Adam t, same state
    }

    [Fact]
    public void ResumingATrainingRunFromItsCheckpointIsBitIdenticalToAnUninterruptedRun()
    {
        var rng = new Random(21);
        var features = new float[50 * 5];
        for (int j = 0; j < features.Length; j++) features[j] = (float)(rng.NextDouble() * 2 - 1);
        var data = new Dataset(features, 5, Enumerable.Range(0, 50).Select(i => i % 3).ToArray(), 3);
        // DropoutNet: shuffles, dropout and DropConnect masks — all three streams must continue exactly.
        var options = new TrainingOptions { Epochs = 4, Seed = 8, Schedule = LearningRateSchedule.Exponential(0.7f) };

        var uninterrupted = new DropoutNet(5);
        var full = Trainer.Train(uninterrupted, data, options);

        string path = PathOf("run.ckpt");
        Trainer.Train(new DropoutNet(5), data, options with { Epochs = 2, CheckpointPath = path });
        Assert.Equal(2, Checkpoint.ReadInfo(path).Epoch);
        var resumed = new DropoutNet(123); // a different seed: everything must come from the checkpoint
        var rest = Trainer.Resume(resumed, data, options, path);

        Assert.Equal(new[] { 3, 4 }, rest.Epochs.Select(e => e.Epoch));
        Assert.Equal(full.Epochs[2].TrainLoss, rest.Epochs[0].TrainLoss);
        Assert.Equal(full.Epochs[3].LearningRate, rest.Epochs[1].LearningRate);
        Assert.Equal(uninterrupted.Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    [Fact]
    public void LoadingIntoAnotherNetworkNamesBothArchitecturesAndChangesNothing()
    {
        string path = PathOf("spiral.ckpt");
        Checkpoint.Save(new SpiralNet(1), path);
        var other = new BatchNormNet(2);
        var before = other.Parameters.ToArray();
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(other, path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(SpiralNet.Architecture, ex.Message);
        Assert.Contains(BatchNormNet.Architecture, ex.Message);
        Assert.Equal(before, other.Parameters.ToArray());
    }

    [Fact]
    public void FingerprintCoversOptionsNotJustShapes()
    {
        // Same layer sizes, different optimizer/regularisation: different fingerprints.
        Assert.NotEqual(SgdStepNet.Fingerprint, MomentumStepNet.Fingerprint);
        Assert.NotEqual(SgdStepNet.Fingerprint, L2SgdNet.Fingerprint);
        Assert.NotEqual(SgdStepNet.Fingerprint, L1SgdNet.Fingerprint);
    }

    [Fact]
    public void EveryTruncationIsReportedAsTruncated()
    {
        string path = PathOf("unit.ckpt");
        var net = new SingleSigmoidNet(1);
        Checkpoint.Save(net, path);
        byte[] bytes = File.ReadAllBytes(path);
        string cut = PathOf("cut.ckpt");
        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(cut, bytes.AsSpan(0, length).ToArray());
            var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(new SingleSigmoidNet(), cut));
            Assert.Contains(cut, ex.Message);
            Assert.Contains("truncated", ex.Message);
        }
    }

    [Fact]
    public void EverySingleBitFlipIsRejected()
    {
        string path = PathOf("unit.ckpt");
        Checkpoint.Save(new SingleSigmoidNet(1), path);
        byte[] bytes = File.ReadAllBytes(path);
        string flipped = PathOf("flipped.ckpt");
        for (int i = 0; i < bytes.Length; i++)
            for (int bit = 0; bit < 8; bit++)
            {
                var copy = (byte[])bytes.Clone();
                copy[i] ^= (byte)(1 << bit);
                File.WriteAllBytes(flipped, copy);
                var target = new SingleSigmoidNet(2);
                var before = target.Parameters.ToArray();
                Assert.Throws<InvalidDataException>(() => Checkpoint.Load(target, flipped));
                Assert.Equal(before, target.Parameters.ToArray());
            }
    }

    private sealed class FailingStream : Stream
    {
        private readonly Stream _inner;
        private long _left;

        public FailingStream(Stream inner, long failAfter) => (_inner, _left) = (inner, failAfter);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int now = (int)Math.Min(_left, buffer.Length);
            _inner.Write(buffer[..now]);
            _left -= now;
            if (now < buffer.Length) throw new IOException("simulated crash in the middle of the save");
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _inner.Length;
        public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => _inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public void ACrashMidSaveLeavesThePreviousCheckpointIntact()
    {
        string path = PathOf("spiral.ckpt");
        var first = new SpiralNet(1);
        Checkpoint.Save(first, path);
        var second = new SpiralNet(2);
        Assert.Throws<IOException>(() => Checkpoint.Save(second, path, null, null, s => new FailingStream(s, 100)));
        var loaded = new SpiralNet(3);
        Checkpoint.Load(loaded, path);
        Assert.Equal(first.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(new[] { "spiral.ckpt" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void NotACheckpointIsNamedAsSuch()
    {
        string path = PathOf("image.png");
        File.WriteAllBytes(path, new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0 });
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(new SpiralNet(), path));
        Assert.Contains("not a CompiledNet checkpoint", ex.Message);
    }
}
