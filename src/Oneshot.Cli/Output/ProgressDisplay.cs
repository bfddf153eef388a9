using Spectre.Console;
using Spectre.Console.Rendering;

namespace Oneshot.Cli.Output;

/// <summary>A progress bar with rate and time left around a piece of blocking library work.</summary>
public static class ProgressDisplay
{
    /// <param name="work">Runs on a worker thread; it reports (done, total) through the callback.</param>
    public static async Task<T> RunAsync<T>(string description, string unit, Func<Action<double, double>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Logs and CI: a line every 10 % instead of a redrawn bar.
            int lastDecile = -1;
            var started = DateTime.UtcNow;
            var gate = new object();
            return await Task.Run(() => work((done, total) =>
            {
                int decile = total > 0 ? (int)(10 * done / total) : 0;
                lock (gate)
                {
                    if (decile == lastDecile) return;
                    lastDecile = decile;
                }
                double seconds = (DateTime.UtcNow - started).TotalSeconds;
                double rate = seconds > 0 ? done / seconds : 0;
                string left = rate > 0 ? $", {TimeSpan.FromSeconds((total - done) / rate):mm\\:ss} left" : "";
                Console.WriteLine($"{description}: {done:0}/{total:0} {unit} ({rate:0.0} {unit}/s{left})");
            }));
        }

        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new RateColumn(unit), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: 1);
                result = await Task.Run(() => work((done, total) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>
    /// A long run of steps described by a line of its own (training): the line is the bar's label when
    /// the console is interactive, and printed at most every <paramref name="lineEvery"/> (and at the
    /// last step) in logs. Messages the work prints meanwhile land above the bar.
    /// </summary>
    /// <param name="work">Runs on a worker thread; it reports (step, total steps, line) through the callback.</param>
    public static async Task<T> RunStepsAsync<T>(TimeSpan lineEvery, Func<Action<long, long, string>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var lastLine = DateTime.MinValue;
            return await Task.Run(() => work((step, total, line) =>
            {
                if (DateTime.UtcNow - lastLine < lineEvery && step != total) return;
                lastLine = DateTime.UtcNow;
                Console.WriteLine(line);
            }));
        }

        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("starting…", maxValue: 1);
                result = await Task.Run(() => work((step, total, line) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = step;
                    task.Description = Markup.Escape(line);
                }));
                task.StopTask();
            });
        return result;
    }

    sealed class RateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is double speed ? $"{speed:0.0} {unit}/s" : $"- {unit}/s", new Style(Color.Grey));
    }
}
