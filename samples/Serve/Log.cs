using System;
using Microsoft.Extensions.Logging;

namespace Serve;

/// <summary>The service's log messages (source-generated: no boxing, no parsing of the template at run time).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Serving {Path}: {Network}, {Architecture}")]
    public static partial void ModelLoaded(ILogger logger, string path, string network, string architecture);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Reloaded {Path}: {Network}, {Architecture} (model generation {Generation}); requests already running finish on the previous one")]
    public static partial void ModelReloaded(ILogger logger, string path, string network, string architecture, long generation);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Refused the new {Path}; the previous model keeps serving: {Reason}")]
    public static partial void ModelReloadRefused(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Unexpected {ExceptionType} on {Method} {Path} (trace {TraceId})")]
    public static partial void UnexpectedException(ILogger logger, Exception exception, string exceptionType, string method, string path, string traceId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Refused an image: no decoder free within {Seconds} s or the queue of {QueueLimit} is full")]
    public static partial void DecodeQueueFull(ILogger logger, double seconds, int queueLimit);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "The model gave a non-finite output ({Value} for class {Class}) for a valid input; the model is broken")]
    public static partial void NonFiniteOutput(ILogger logger, float value, int @class);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Refused {Status}: {Detail}")]
    public static partial void Refused(ILogger logger, int status, string detail);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Cannot watch {Path} for new models: {Reason}")]
    public static partial void CannotWatch(ILogger logger, string path, string reason);
}
