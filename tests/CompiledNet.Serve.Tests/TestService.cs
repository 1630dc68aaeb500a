using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using CompiledNet;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Serve;
using Xunit;

namespace CompiledNet.Serve.Tests;

/// <summary>One log entry the service wrote.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId Event, string Message, Exception? Exception);

/// <summary>Keeps what the service logs, for tests to read.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}

/// <summary>The service started on 127.0.0.1 with a free port, with the given settings, its log kept.</summary>
public sealed class TestService : IAsyncDisposable
{
    public WebApplication App { get; }
    public HttpClient Http { get; }
    public ListLoggerProvider Log { get; } = new();

    private TestService(WebApplication app, ListLoggerProvider log)
    {
        App = app;
        Log = log;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    /// <summary>Starts the service around <paramref name="net"/> (or Serve:Checkpoint when null) with extra command-line settings.</summary>
    public static async Task<TestService> Start(ICompiledNetwork? net, params string[] settings)
    {
        var log = new ListLoggerProvider();
        var app = FashionService.Build(new[] { "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Information" }.Concat(settings).ToArray(), net,
            builder => { builder.Logging.ClearProviders(); builder.Logging.AddProvider(log); });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new TestService(app, log);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    /// <summary>An RFC 9457 problem: checks the media type and that status in the body equals the HTTP status.</summary>
    public static async Task<(int Status, string Title, string Detail)> Problem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        int status = root.GetProperty("status").GetInt32();
        Assert.Equal((int)response.StatusCode, status);
        Assert.StartsWith("https://", root.GetProperty("type").GetString());
        return (status, root.GetProperty("title").GetString()!, root.TryGetProperty("detail", out var d) ? d.GetString()! : "");
    }
}
