return await Oneshot.Cli.CliApp.RunAsync(args);
