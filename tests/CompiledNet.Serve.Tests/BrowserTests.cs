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
    public async Task ThePageShowsTheClassThatClassifyGivesForAnUploadedTestImageAndForADrawing()
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

        var app = FashionService.Build(new[] { "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" }, net);
        await app.StartAsync();
        try
        {
            var options = new ChromeOptions { BinaryLocation = BrowserFactAttribute.Chromium };
            options.SetLoggingPreference(LogType.Browser, OpenQA.Selenium.LogLevel.All);
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

            // The 28×28 the page shows as "what the model received" is the test image, pixel for pixel.
            var shown = Seen(driver);
            for (int i = 0; i < 784; i++)
                Assert.True(Math.Abs(shown[i] - MathF.Round(pixels[i] * 255)) <= 1, $"pixel {i}: page {shown[i]}, image {pixels[i] * 255}");

            string screenshot = Path.Combine(directory, "serve-page.png");
            ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(screenshot);
            Assert.True(new FileInfo(screenshot).Length > 1000);

            // Drawing: a vertical stroke down the middle of the canvas, then "Predict drawing" sends it as JSON.
            var canvas = driver.FindElement(By.Id("draw"));
            new OpenQA.Selenium.Interactions.Actions(driver)
                .MoveToElement(canvas, 0, -100).ClickAndHold().MoveByOffset(0, 100).MoveByOffset(0, 100).Release().Perform();
            ((IJavaScriptExecutor)driver).ExecuteScript("document.getElementById('result').dataset.class = '';");
            driver.FindElement(By.Id("predict")).Click();
            watch.Restart();
            while (string.IsNullOrEmpty(result.GetDomAttribute("data-class")) && watch.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(50);
            Assert.Equal("", driver.FindElement(By.Id("error")).Text);
            var drawn = Seen(driver);
            var drawnInput = drawn.Select(v => v / 255f).ToArray();
            Assert.True(drawn.Count(v => v > 200) >= 15, $"{drawn.Count(v => v > 200)} bright pixels in the drawing");
            Assert.True(drawn[14 * 28 + 14] > 200 && drawn[14 * 28 + 2] == 0 && drawn[14 * 28 + 25] == 0, "a vertical stroke in the middle");
            Assert.Equal(net.Classify(drawnInput).ToString(System.Globalization.CultureInfo.InvariantCulture), result.GetDomAttribute("data-class"));

            // The page's Content-Security-Policy let its inline style and script run: the bars are a grid (the style
            // applied) and the script answered above; and it reported no violation.
            Assert.Equal("grid", ((IJavaScriptExecutor)driver).ExecuteScript("return getComputedStyle(document.getElementById('bars')).display;"));
            var violations = driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Message.Contains("Content Security Policy", StringComparison.Ordinal)).ToArray();
            Assert.True(violations.Length == 0, string.Join("\n", violations.Select(v => v.Message)));

            // A 390 px wide phone: nothing wider than the screen, so no sideways scrolling; the percentages are visible.
            driver.Manage().Window.Size = new System.Drawing.Size(390, 844);
            driver.Navigate().Refresh();
            driver.FindElement(By.Id("file")).SendKeys(png);
            result = driver.FindElement(By.Id("result"));
            watch.Restart();
            while (string.IsNullOrEmpty(result.GetDomAttribute("data-class")) && watch.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(50);
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), result.GetDomAttribute("data-class"));
            var js = (IJavaScriptExecutor)driver;
            Assert.Equal(390L, js.ExecuteScript("return window.innerWidth;"));
            long scrollWidth = (long)js.ExecuteScript("return document.documentElement.scrollWidth;")!;
            Assert.True(scrollWidth <= 390, $"the page is {scrollWidth} px wide on a 390 px screen");
            long rightmost = (long)js.ExecuteScript("return Math.ceil(Math.max(...[...document.querySelectorAll('#bars span')].map(e => e.getBoundingClientRect().right)));")!;
            Assert.True(rightmost <= 390, $"the percentages end at {rightmost} px");
            ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(Path.Combine(directory, "serve-page-phone.png"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The grey level (0–255) of each of the 28×28 cells of the page's "what the model received" canvas.</summary>
    private static int[] Seen(IWebDriver driver)
    {
        var values = (System.Collections.ObjectModel.ReadOnlyCollection<object>)((IJavaScriptExecutor)driver).ExecuteScript("""
            const c = document.getElementById('seen'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, s = c.width / 28, out = [];
            for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out.push(d[4 * ((y * s + s / 2) * c.width + x * s + s / 2)]);
            return out;
            """)!;
        return values.Select(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
