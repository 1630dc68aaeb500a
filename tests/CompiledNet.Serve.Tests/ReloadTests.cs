using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;
using CompiledNet;
using Microsoft.Extensions.DependencyInjection;
using Serve;
using Xunit;

namespace CompiledNet.Serve.Tests;

/// <summary>The service watches its checkpoint and serves a newly saved network without a restart.</summary>
public sealed class ReloadTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serve-reload-" + Guid.NewGuid().ToString("N"));
    private readonly float[] _x;

    public ReloadTests()
    {
        Directory.CreateDirectory(_directory);
        var rng = new Random(7);
        _x = Enumerable.Range(0, 784).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private float[] Expected(FashionNet net)
    {
        var p = new float[10];
        net.Predict(_x, p);
        return p;
    }

    private static async Task<float[]> Probabilities(TestService service, float[] x)
    {
        using var response = await service.Http.PostAsync("/predict", JsonContent.Create(x, ServeJson.Default.SingleArray));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), ServeJson.Default.PredictResponse)!.Probabilities;
    }

    /// <summary>Asks until the answer equals <paramref name="expected"/>, for at most 10 s.</summary>
    private async Task<bool> Serves(TestService service, float[] expected)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            if ((await Probabilities(service, _x)).SequenceEqual(expected)) return true;
            await Task.Delay(50);
        }
        return false;
    }

    [Fact]
    public async Task ANewlySavedNetworkIsServedWithoutARestart()
    {
        string path = Path.Combine(_directory, "net.ckpt");
        FashionNet first = new(2), second = new(3);
        Checkpoint.Save(first, path);
        await using var service = await TestService.Start(null, "--checkpoint", path, "--Serve:ReloadDelayMilliseconds=50");
        Assert.Equal(Expected(first), await Probabilities(service, _x));
        var store = service.App.Services.GetRequiredService<ModelStore>();
        Assert.Equal(1, store.Generation);
        var before = store.Current;

        Checkpoint.Save(second, path);
        Assert.True(await Serves(service, Expected(second)), "the new network was not served within 10 s");
        Assert.Equal(2, store.Generation);
        // The network a running request took is a different object and still answers as the first did: requests in
        // flight finish on the old model.
        Assert.NotSame(before, store.Current);
        var old = new float[10];
        before.Predict(_x, old);
        Assert.Equal(Expected(first), old);
        Assert.Contains(service.Log.Entries, e => e.Event.Name == "ModelReloaded");
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("garbage")]
    [InlineData("not finite")]
    public async Task ABadNewFileIsRefusedAndLoggedAndTheOldNetworkKeepsServing(string kind)
    {
        string path = Path.Combine(_directory, "net.ckpt");
        var first = new FashionNet(2);
        Checkpoint.Save(first, path);
        await using var service = await TestService.Start(null, "--checkpoint", path, "--Serve:ReloadDelayMilliseconds=50");
        var store = service.App.Services.GetRequiredService<ModelStore>();

        switch (kind)
        {
            case "truncated": File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]); break;
            case "garbage": File.WriteAllBytes(path, new byte[] { 1, 2, 3, 4 }); break;
            case "not finite":
                var broken = new FashionNet(3);
                broken.Parameters.Fill(float.NaN);
                Checkpoint.Save(broken, path);   // a valid file of the right network, whose outputs are NaN
                break;
        }
        var watch = Stopwatch.StartNew();
        while (!service.Log.Entries.Any(e => e.Event.Name == "ModelReloadRefused") && watch.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        var refused = Assert.Single(service.Log.Entries.Where(e => e.Event.Name == "ModelReloadRefused").Take(1));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, refused.Level);
        Assert.Contains(path, refused.Message);
        Assert.Equal(1, store.Generation);
        Assert.Equal(Expected(first), await Probabilities(service, _x));
        using var ready = await service.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        string metrics = await service.Http.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("compilednet_model_reloads_total{", StringComparison.Ordinal) && l.Contains("outcome=\"refused\""));

        // A good file afterwards is served.
        var third = new FashionNet(4);
        Checkpoint.Save(third, path);
        Assert.True(await Serves(service, Expected(third)), "the good file after the bad one was not served");
    }

    [Fact]
    public async Task ABadCheckpointAtStartUpStopsTheStart()
    {
        string path = Path.Combine(_directory, "net.ckpt");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TestService.Start(null, "--checkpoint", path));
        Assert.Contains(path, error.Message);
    }
}
