using System.CommandLine;
using Oneshot.Cli;

namespace Oneshot.Tests.Cli;

/// <summary>
/// docs/commands.md stays true to the program: every command that runs something has a section
/// (a heading naming `oneshot COMMAND`) and the section names each of the command's options.
/// </summary>
public class CommandsDocTests
{
    [Fact]
    public void Every_command_and_option_is_in_docs_commands_md()
    {
        string path = Path.Combine(Repository.Root, "docs", "commands.md");
        var lines = File.ReadAllLines(path);
        var problems = new List<string>();
        foreach (var (name, command) in Leaves(CliApp.BuildRoot(), ""))
        {
            int heading = Array.FindIndex(lines, l => l.StartsWith('#') &&
                (l.Contains($"`oneshot {name} ") || l.Contains($"`oneshot {name}`") || l.Contains($"· `{name} ")
                    || l.Contains($"· `{name}`")));
            if (heading < 0) { problems.Add($"`oneshot {name}` has no section (a heading naming it)"); continue; }
            int level = lines[heading].TakeWhile(c => c == '#').Count();
            int end = Array.FindIndex(lines, heading + 1, l => l.StartsWith('#')
                && l.TakeWhile(c => c == '#').Count() <= level);
            string section = string.Join("\n", lines[heading..(end < 0 ? lines.Length : end)]);
            foreach (var option in command.Options.Where(o => !o.Hidden && o.Name is not ("--help" or "--verbose")))
                if (!section.Contains(option.Name, StringComparison.Ordinal))
                    problems.Add($"`oneshot {name}`: {option.Name} is not mentioned in its section");
        }
        Assert.True(problems.Count == 0, $"{path} is behind the program:\n" + string.Join("\n", problems));
    }

    static IEnumerable<(string Name, Command Command)> Leaves(Command command, string prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            string name = prefix.Length == 0 ? sub.Name : $"{prefix} {sub.Name}";
            if (sub.Action is not null) yield return (name, sub);
            foreach (var leaf in Leaves(sub, name)) yield return leaf;
        }
    }
}
