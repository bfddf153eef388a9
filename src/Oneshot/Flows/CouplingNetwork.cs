using Oneshot.TorchInterop;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Oneshot.Flows;

/// <summary>
/// The conditioner of a coupling layer: an MLP from the unchanged half to the parameters of the
/// changed half. Its last layer starts at zero, so every coupling starts as the identity.
/// </summary>
public sealed class CouplingNetwork : nn.Module<Tensor, Tensor>
{
    readonly Linear input;
    readonly Linear hidden;
    readonly Linear output;

    public CouplingNetwork(int inputs, int hiddenUnits, int outputs) : base(nameof(CouplingNetwork))
    {
        input = nn.Linear(inputs, hiddenUnits);
        hidden = nn.Linear(hiddenUnits, hiddenUnits);
        output = nn.Linear(hiddenUnits, outputs);
        using (no_grad())
        {
            output.weight!.zero_();
            output.bias!.zero_();
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => output.forward(hidden.forward(input.forward(x).Elu()).Elu());
}

/// <summary>Which dimensions a coupling keeps and which it transforms: alternating by parity.</summary>
public sealed class CouplingSplit
{
    public CouplingSplit(int dimensions, int parity)
    {
        if (dimensions < 2)
            throw new ArgumentException($"a coupling layer needs at least 2 dimensions, got {dimensions}");
        Kept = Enumerable.Range(0, dimensions).Where(i => i % 2 != parity).Select(i => (long)i).ToArray();
        Changed = Enumerable.Range(0, dimensions).Where(i => i % 2 == parity).Select(i => (long)i).ToArray();
        long[] order = [.. Kept, .. Changed];
        Restore = new long[dimensions];
        for (int i = 0; i < dimensions; i++) Restore[order[i]] = i;
    }

    public long[] Kept { get; }
    public long[] Changed { get; }

    /// <summary>Indices that put cat([kept, changed]) back in the original order.</summary>
    public long[] Restore { get; }

    public (Tensor Kept, Tensor Changed) Split(Tensor x) =>
        (x.index_select(1, tensor(Kept, device: x.device)), x.index_select(1, tensor(Changed, device: x.device)));

    public Tensor Join(Tensor kept, Tensor changed) =>
        cat([kept, changed], 1).index_select(1, tensor(Restore, device: kept.device));
}
