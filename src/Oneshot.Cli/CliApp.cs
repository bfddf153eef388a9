using System.CommandLine;
using Oneshot.Cli.Commands;
using Spectre.Console;

namespace Oneshot.Cli;

/// <summary>The `oneshot` program: builds the command tree and turns failures into exit codes.</summary>
public static class CliApp
{
    public const int Ok = 0;
    public const int UserError = 1;
    public const int UsageError = 2;
    public const int InternalError = 70;
    public const int Interrupted = 130;

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show full error details (stack traces).",
        Recursive = true,
    };

    public static RootCommand BuildRoot()
    {
        var root =
            new RootCommand("Oneshot: learn, generate and play short audio samples (one-shots) with a waveform VAE.");
        root.Options.Add(Verbose);
        root.Subcommands.Add(DataCommand.Build());
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(PriorCommand.Build());
        foreach (var command in ModelCommands.Build()) root.Subcommands.Add(command);
        root.Subcommands.Add(ControlsCommand.Build());
        root.Subcommands.Add(PackCommand.Build());
        root.Subcommands.Add(KitCommand.Build());
        root.Subcommands.Add(MapCommand.Build());
        root.Subcommands.Add(ChartCommand.Build());
        root.Subcommands.Add(EvalCommand.Build());
        root.Subcommands.Add(MetricsCommand.Build());
        root.Subcommands.Add(ListenCommand.Build());
        root.Subcommands.Add(PlayCommand.Build());
        root.Subcommands.Add(BenchCommand.Build());
        root.Subcommands.Add(QuickstartCommand.Build());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // Logs and pipes get long lines rather than Spectre's default 80-column wrapping.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
        var parse = BuildRoot().Parse(args);
        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // Ctrl-C / SIGTERM cancel the command, which then finishes its step and writes a checkpoint.
            // System.CommandLine's default of 2 s would kill the process mid-checkpoint on a slow step.
            ProcessTerminationTimeout = TimeSpan.FromMinutes(2),
        };
        try
        {
            return await parse.InvokeAsync(configuration);
        }
        catch (OneshotException e)
        {
            PrintError(e.Message, parse.GetValue(Verbose) ? e : null);
            return UserError;
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]Interrupted; nothing was written.[/]");
            return Interrupted;
        }
        catch (Exception e)
        {
            PrintError($"Unexpected error: {e.GetType().Name}: {e.Message}" +
                       (parse.GetValue(Verbose) ? "" : " (run again with --verbose for details, and please report it)"),
                       parse.GetValue(Verbose) ? e : null);
            return InternalError;
        }
    }

    static void PrintError(string message, Exception? details)
    {
        // Plain text: a redirected console would otherwise be wrapped at 80 columns mid-message.
        if (Console.IsErrorRedirected) Console.Error.WriteLine($"error: {message}");
        else AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
            .MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        if (details is not null) Console.Error.WriteLine(details.ToString());
    }
}
