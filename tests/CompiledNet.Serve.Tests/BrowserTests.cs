using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CompiledNet;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Serve;
using SkiaSharp;
using Xunit;

namespace CompiledNet.Serve.Tests;

/// <summary>
/// Runs only where Debian's chromium and chromium-driver and the Fashion-MNIST test set are installed (.ci/run installs
/// them); elsewhere the test is reported as skipped with what is missing.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium", Driver = "/usr/bin/chromedriver";

    public BrowserFactAttribute()
    {
        var missing = new[] { Chromium, Driver, Path.Combine(FashionMnist.DefaultDirectory, "t10k-images-idx3-ubyte.gz") }.Where(p => !File.Exists(p)).ToArray();
        if (missing.Length > 0)
            Skip = $"needs {string.Join(", ", missing)} (apt-get install chromium chromium-driver dataset-fashion-mnist)";
    }
}

public class BrowserTests
{
    [BrowserFact]
    public async Task ThePageShowsTheClassThatClassifyGivesForAnUploadedTestImage()
    {
        var (train, test) = FashionMnist.Load(FashionMnist.DefaultDirectory);
        var net = new FashionNet(1);
        Trainer.Train(net, train.Take(10000), new TrainingOptions { Epochs = 1, Seed = 1 });

        // Test image 0 as the 28×28 grey PNG a user would upload; its pixels are the data set's bytes exactly.
        string directory = Path.Combine(AppContext.BaseDirectory, "browser");
        Directory.CreateDirectory(directory);
        string png = Path.Combine(directory, "test-image-0.png");
        var pixels = test.Features(0).ToArray();
        File.WriteAllBytes(png, ServiceTests.Png(28, 28, (x, y) => (byte)MathF.Round(pixels[y * 28 + x] * 255)));
        int expected = net.Classify(pixels);

        var app = FashionService.Build(net, "http://127.0.0.1:0");
        await app.StartAsync();
        try
        {
            var options = new ChromeOptions { BinaryLocation = BrowserFactAttribute.Chromium };
            options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,760", "--force-device-scale-factor=1");
            using var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(BrowserFactAttribute.Driver)!, Path.GetFileName(BrowserFactAttribute.Driver));
            service.SuppressInitialDiagnosticInformation = true;
            using var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
            driver.Navigate().GoToUrl(app.Urls.First());
            driver.FindElement(By.Id("file")).SendKeys(png);

            var result = driver.FindElement(By.Id("result"));
            var watch = Stopwatch.StartNew();
            while (string.IsNullOrEmpty(result.GetDomAttribute("data-class")) && watch.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(50);
            Assert.Equal("", driver.FindElement(By.Id("error")).Text);
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), result.GetDomAttribute("data-class"));
            Assert.Contains(FashionMnist.ClassNames[expected], result.Text);
            Assert.Equal(10, driver.FindElements(By.CssSelector("#bars .bar")).Count);

            string screenshot = Path.Combine(directory, "serve-page.png");
            ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(screenshot);
            Assert.True(new FileInfo(screenshot).Length > 1000);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
