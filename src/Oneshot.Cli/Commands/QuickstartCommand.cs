using System.CommandLine;
using Oneshot.Cli.Output;
using Oneshot.Data;
using Oneshot.Data.Recipes;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot quickstart`: the first thing a new user runs. For now it builds the default dataset.</summary>
public static class QuickstartCommand
{
    public static Command Build()
    {
        var command = new Command("quickstart", "Build the default dataset (the Hydrogen drum kits when installed, else synthetic one-shots) and show what it holds.");
        var output = new Option<string>("--out", "-o") { Description = "Folder for everything quickstart makes.", DefaultValueFactory = _ => "oneshot-quickstart" };
        var recipe = new Option<string>("--recipe") { Description = "drums, notes or synthetic (default: drums when installed, else synthetic).", DefaultValueFactory = _ => Recipes.Default };
        recipe.AcceptOnlyFromAmong(Recipes.Names);
        command.Options.Add(output);
        command.Options.Add(recipe);
        command.SetAction(async (parse, cancellation) =>
        {
            string folder = parse.GetValue(output)!;
            string name = parse.GetValue(recipe)!;
            string dataset = Path.Combine(folder, "data");
            AnsiConsole.MarkupLine($"[bold]Oneshot quickstart[/]: building the [bold]{name}[/] dataset in {Markup.Escape(dataset)}");
            if (name == "synthetic" && !DrumsRecipe.IsInstalled())
                AnsiConsole.MarkupLine($"[grey](install {DrumsRecipe.Package} for real drum one-shots instead)[/]");
            // Quickstart owns its folder: re-running it replaces the dataset it made before.
            var result = await DataCommand.RunRecipeAsync(new RecipeRequest(name), dataset, new PrepareOptions(), force: true, cancellation);
            DatasetReport.PrintPrepared(result);
            AnsiConsole.WriteLine();
            DatasetReport.PrintSummary(DatasetSummary.Load(dataset), listGroups: false);
            AnsiConsole.MarkupLine($"\nNext: [bold]./oneshot data info {Markup.Escape(dataset)} --groups[/]; in Python: numpy.load('{Markup.Escape(Path.Combine(dataset, DatasetFormat.ClipsFile))}')");
            return CliApp.Ok;
        });
        return command;
    }
}
