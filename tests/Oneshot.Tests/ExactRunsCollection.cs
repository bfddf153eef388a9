namespace Oneshot.Tests;

/// <summary>
/// Tests that compare two runs bit for bit run on their own. Module constructors (TorchSharp's and
/// ours) draw initial weights from libtorch's one process-wide generator, which trainers seed; a
/// test in another class seeding or drawing from it at the same moment would change the weights
/// of one run and not the other (CI saw this once, in the prior's resume test).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExactRunsCollection
{
    public const string Name = "Exact runs";
}
