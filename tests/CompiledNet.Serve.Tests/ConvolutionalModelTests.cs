using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet;
using CompiledNet.Samples;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve;
using Xunit;

namespace CompiledNet.Serve.Tests;

/// <summary>A 784 → 10 network that is neither FashionNet nor FashionCnn: its checkpoints are not the service's to serve.</summary>
[Network(Input = 784, BatchSize = 8)]
[Dense(10, Activation.Softmax)]
[Loss(LossKind.SoftmaxCrossEntropy)]
[Optimizer(OptimizerKind.Sgd, LearningRate = 0.1f)]
public partial class OtherNet { }

/// <summary>
/// The service serves the convolutional FashionCnn as it serves the dense FashionNet: the checkpoint says which network
/// wrote it, a reload may swap one for the other, and a checkpoint of any other network is refused by name.
/// </summary>
public sealed class ConvolutionalModelTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serve-cnn-" + Guid.NewGuid().ToString("N"));
    private readonly float[] _x;

    public ConvolutionalModelTests()
    {
        Directory.CreateDirectory(_directory);
        var rng = new Random(11);
        _x = Enumerable.Range(0, 784).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static float[] Expected(INetwork net, float[] x)
    {
        var p = new float[10];
        net.Predict(x, p);
        return p;
    }

    private static async Task<float[]> Probabilities(TestService service, float[] x)
    {
        using var response = await service.Http.PostAsync("/predict", JsonContent.Create(x, ServeJson.Default.SingleArray));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), ServeJson.Default.PredictResponse)!.Probabilities;
    }

    private static async Task<ModelResponse> Model(TestService service)
    {
        using var response = await service.Http.GetAsync("/model");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), ServeJson.Default.ModelResponse)!;
    }

    private string Saved(ICompiledNetwork net, string name)
    {
        string path = Path.Combine(_directory, name);
        Checkpoint.Save(net, path);
        return path;
    }

    [Fact]
    public void EveryServedNetworkTakesA28By28ImageAndGivesTenClasses()
    {
        Assert.Equal(new[] { "FashionNet", "FashionCnn" }, ServedNetwork.Known.Select(k => k.Name));
        foreach (var known in ServedNetwork.Known)
        {
            var net = known.Create(1);
            Assert.Equal(28 * 28, net.InputSize);
            Assert.Equal(10, net.OutputSize);
            Assert.Equal(known.Fingerprint, net.Fingerprint);
        }
        Assert.NotEqual(FashionNet.Fingerprint, FashionCnn.Fingerprint);
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("cnn")]
    public void TheCheckpointSaysWhichNetworkToLoad(string kind)
    {
        ICompiledNetwork saved = kind == "cnn" ? new FashionCnn(3) : new FashionNet(3);
        var loaded = ModelStore.Load(Saved(saved, kind + ".ckpt"));
        Assert.IsType(saved.GetType(), loaded);
        Assert.Equal(saved.Parameters.ToArray(), loaded.Parameters.ToArray());
    }

    [Fact]
    public async Task ACnnCheckpointIsServedWithTheProbabilitiesFashionCnnPredictGives()
    {
        string path = Saved(new FashionCnn(5), "cnn.ckpt");
        await using var service = await TestService.Start(null, "--checkpoint", path);
        // The reference: an instance made with the same seed, not read from the file.
        Assert.Equal(Expected(new FashionCnn(5), _x), await Probabilities(service, _x));
        using var ready = await service.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains(service.Log.Entries, e => e.Event.Name == "ModelLoaded" && e.Message.Contains("FashionCnn") && e.Message.Contains(FashionCnn.Architecture));
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("cnn")]
    public async Task GetModelNamesTheServedNetworkItsArchitectureAndFingerprint(string kind)
    {
        ICompiledNetwork net = kind == "cnn" ? new FashionCnn(1) : new FashionNet(1);
        await using var service = await TestService.Start(net);
        var model = await Model(service);
        Assert.Equal(kind == "cnn" ? "FashionCnn" : "FashionNet", model.Network);
        Assert.Equal(net.Architecture, model.Architecture);
        Assert.Equal(net.Fingerprint, ulong.Parse(model.Fingerprint, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(kind == "cnn" ? FashionCnn.ParameterCount : FashionNet.ParameterCount, model.Parameters);
        Assert.Equal(1, model.Generation);
    }

    [Fact]
    public async Task GetModelIsAProblemWhileNoModelIsLoaded()
    {
        await using var service = await TestService.Start(null);
        using var response = await service.Http.GetAsync("/model");
        var (status, _, detail) = await TestService.Problem(response);
        Assert.Equal(503, status);
        Assert.Equal("No model is loaded yet.", detail);
    }

    [Fact]
    public async Task AReloadFromADenseCheckpointToACnnCheckpointServesTheCnn()
    {
        string path = Path.Combine(_directory, "net.ckpt");
        Checkpoint.Save(new FashionNet(2), path);
        await using var service = await TestService.Start(null, "--checkpoint", path, "--Serve:ReloadDelayMilliseconds=50");
        Assert.Equal(Expected(new FashionNet(2), _x), await Probabilities(service, _x));
        var store = service.App.Services.GetRequiredService<ModelStore>();

        Checkpoint.Save(new FashionCnn(6), path);
        var expected = Expected(new FashionCnn(6), _x);
        var watch = Stopwatch.StartNew();
        while (!(await Probabilities(service, _x)).SequenceEqual(expected) && watch.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Assert.Equal(expected, await Probabilities(service, _x));
        Assert.IsType<FashionCnn>(store.Current);
        var model = await Model(service);
        Assert.Equal(("FashionCnn", 2L), (model.Network, model.Generation));
        Assert.Contains(service.Log.Entries, e => e.Event.Name == "ModelReloaded" && e.Message.Contains("FashionCnn"));
    }

    [Fact]
    public async Task ACheckpointOfNeitherNetworkIsRefusedOnReloadByNameAndTheOldModelKeepsServing()
    {
        string path = Path.Combine(_directory, "net.ckpt");
        Checkpoint.Save(new FashionCnn(2), path);
        await using var service = await TestService.Start(null, "--checkpoint", path, "--Serve:ReloadDelayMilliseconds=50");
        var store = service.App.Services.GetRequiredService<ModelStore>();

        Checkpoint.Save(new OtherNet(1), path);
        var watch = Stopwatch.StartNew();
        while (!service.Log.Entries.Any(e => e.Event.Name == "ModelReloadRefused") && watch.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        var refused = service.Log.Entries.First(e => e.Event.Name == "ModelReloadRefused");
        Assert.Equal(LogLevel.Error, refused.Level);
        Assert.Contains(path + ": the checkpoint is of a network this service does not serve. It holds \"" + OtherNet.Architecture + "\"", refused.Message);
        Assert.Contains("FashionNet \"" + FashionNet.Architecture + "\"", refused.Message);
        Assert.Contains("FashionCnn \"" + FashionCnn.Architecture + "\"", refused.Message);
        Assert.Equal(1, store.Generation);
        Assert.IsType<FashionCnn>(store.Current);
        Assert.Equal(Expected(new FashionCnn(2), _x), await Probabilities(service, _x));
    }

    [Fact]
    public async Task ACheckpointOfNeitherNetworkStopsTheStartWithTheArchitectureItHolds()
    {
        string path = Saved(new OtherNet(1), "other.ckpt");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TestService.Start(null, "--checkpoint", path));
        Assert.StartsWith(path + ": the checkpoint is of a network this service does not serve.", error.Message);
        Assert.Contains(OtherNet.Architecture, error.Message);
    }

    [Fact]
    public async Task TheStoreRefusesToServeANetworkOfAnotherDeclaration()
    {
        await using var service = await TestService.Start(null);
        var store = service.App.Services.GetRequiredService<ModelStore>();
        var error = Assert.Throws<ArgumentException>(() => store.Use(new OtherNet(1)));
        Assert.Contains(OtherNet.Architecture, error.Message);
        Assert.False(store.IsLoaded);
    }

    [Fact]
    public void TheCnnsPredictThroughTheInterfaceAllocatesNothingAfterItsFirstCallOnAThread()
    {
        INetwork net = new FashionCnn(1);
        var y = new float[10];
        long first = 0, after = 0;
        // Every path of Predict run here first (the first call transforms the Winograd filters, later ones compare the
        // weights), so that the measured thread does not pay the JIT's and the type loader's allocations for a path no
        // other test has run yet (seen once in CI: 7,472 bytes over the 20 calls).
        net.Predict(_x, y);
        net.Predict(_x, y);
        // A thread of its own: the generated code keeps one scratch buffer per thread, made on the thread's first call.
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            net.Predict(_x, y);
            first = GC.GetAllocatedBytesForCurrentThread() - before;
            // Three rounds of 20 calls, the least kept: an allocation made by every call shows in every round, while a
            // one-off of the runtime (a method compiled again on this thread mid-loop) shows in one at most.
            after = long.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++) net.Predict(_x, y);
                after = Math.Min(after, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        });
        thread.Start();
        thread.Join();
        Assert.Equal(0, after);
        Assert.True(first > 0, "the first call on a thread makes its scratch buffer");
    }

    [Fact]
    public void TheClassifierClassifiesIdxImagesWithACnnCheckpoint()
    {
        string checkpoint = Saved(new FashionCnn(4), "cnn.ckpt");
        const int count = 6;
        var rng = new Random(3);
        var pixels = new byte[count * 784];
        rng.NextBytes(pixels);
        // Labels: what FashionCnn itself answers (an instance with the same seed), except image 1's, set to another class.
        var reference = new FashionCnn(4);
        var labels = new byte[count];
        for (int k = 0; k < count; k++)
            labels[k] = (byte)reference.Classify(pixels.AsSpan(k * 784, 784).ToArray().Select(b => b * (1f / 255)).ToArray());
        labels[1] = (byte)((labels[1] + 1) % 10);
        string images = Path.Combine(_directory, "images.idx"), labelFile = Path.Combine(_directory, "labels.idx");
        IdxFile.Write(images, new IdxArray(new[] { count, 28, 28 }, pixels));
        IdxFile.Write(labelFile, new IdxArray(new[] { count }, labels));

        var run = CommandLineTests.Run("classify", "--checkpoint", checkpoint, "--idx", images, "--labels", labelFile, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(run.Code == 0, run.Error);
        Assert.Contains($"{checkpoint}: FashionCnn, {FashionCnn.Architecture}", run.Out);
        Assert.Contains($"image 0: {FashionMnist.ClassNames[labels[0]]} (correct)", run.Out);
        Assert.Contains($"image 1: {FashionMnist.ClassNames[(labels[1] + 9) % 10]} (label: {FashionMnist.ClassNames[labels[1]]})", run.Out);
        Assert.Contains($"accuracy on {count} images: 0.8333", run.Out);
    }
}
