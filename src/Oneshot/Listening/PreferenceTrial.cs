namespace Oneshot.Listening;

/// <summary>What a preference trial compares: two models' reconstructions of one real clip, their samples, or (a check)
/// a real clip against a degraded copy of itself.</summary>
public enum TrialKind { Check, Reconstruction, Generated }

/// <summary>
/// One A/B trial: two stimuli and, where there is one, the real clip both try to be (played first, as
/// the reference). Which system is A is drawn when the study is made, so neither side gives it away.
/// </summary>
public sealed record PreferenceTrial(string Id, TrialKind Kind, string? Reference, string A, string B)
{
    public static PreferenceTrial Shuffled(string id, TrialKind kind, string? reference, string first, string second,
        Random random) =>
        random.Next(2) == 0 ? new(id, kind, reference, first, second) : new(id, kind, reference, second, first);
}
