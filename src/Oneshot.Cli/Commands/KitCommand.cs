using System.CommandLine;
using Oneshot.Generation;
using Oneshot.Kits;
using Spectre.Console;

namespace Oneshot.Cli.Commands;

/// <summary>`oneshot kit`: a kit description made with a model and written for samplers.</summary>
public static class KitCommand
{
    public static Command Build()
    {
        var command = new Command("kit",
            "Make a drum kit with a model from a kit description (JSON: per pad a latent, a file, a training class, " +
                "or a prior draw) "
            + "and write it for samplers: WAVs, SFZ, Decent Sampler, SoundFont 2 and a Hydrogen drumkit.");
        var description = new Argument<string>("kit")
            { Description = "Kit description (.json); see docs/commands.md." };
        var model = new Option<string?>("--model", "-m")
            { Description = "Model directory (from `oneshot train`); left out, the model shipped with Oneshot " +
            "(models/drums)." };
        var output = new Option<string>("--out", "-o")
            { Description = "Folder for the kit.", DefaultValueFactory = _ => "kit" };
        var data = new Option<string?>("--data", "-d")
            { Description = "The model's dataset, for class pads, when it has moved since training." };
        var batchSize = ModelCommands.BatchSizeOption();
        command.Arguments.Add(description);
        command.Options.Add(model);
        command.Options.Add(output);
        command.Options.Add(data);
        command.Options.Add(batchSize);
        var device = DeviceChoice.Option();
        command.Options.Add(device);
        command.SetAction(parse =>
        {
            var on = DeviceChoice.Resolve(parse, device);
            string path = parse.GetValue(description)!;
            var kit = KitDescription.Load(path);
            string folder = parse.GetValue(output)!;
            // The kit written holds every pad as a latent: it must not replace a description whose pads are recipes (a
            // class, a file, a prior draw).
            // macOS and Windows file names ignore case
            var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            if (string.Equals(Path.GetFullPath(Path.Combine(folder, KitExport.DescriptionFile)), Path.GetFullPath(path),
                comparison) && kit.Pads.Any(p => p.Latent is null))
                throw new OneshotException($"--out '{folder}' would replace the description '{path}' with the made " +
                    $"kit's {KitExport.DescriptionFile}, "
                    + "whose pads are latents rather than classes, files or prior draws; choose another --out or " +
                        "rename the description.");
            using var runner = new ModelRunner(ShippedModel.Or(parse.GetValue(model)), on)
                { BatchSize = parse.GetValue(batchSize) };
            var rendered = KitBuilder.Render(kit, Path.GetDirectoryName(Path.GetFullPath(path))!, runner,
                parse.GetValue(data));
            var written = KitExport.Write(rendered, folder);
            foreach (var pad in rendered.Pads)
                AnsiConsole.MarkupLine($"  note {pad.Note}  [bold]{Markup.Escape(pad.Name)}[/]  " +
                    $"({Markup.Escape(pad.Source)})");
            var kitFiles = written.Where(f => !f.EndsWith(".wav", StringComparison.Ordinal));
            AnsiConsole.MarkupLine($"Wrote {rendered.Pads.Count} pads to {Markup.Escape(folder)}: " +
                $"{Markup.Escape(string.Join(", ", kitFiles))} and the WAVs in {KitExport.SamplesFolder}/.");
            return CliApp.Ok;
        });
        return command;
    }
}
