namespace Oneshot;

/// <summary>Deterministic seed derivation (SplitMix64), the same in every process — unlike HashCode.</summary>
public static class Seeds
{
    public static ulong Mix(params long[] parts)
    {
        ulong state = 0x9E3779B97F4A7C15;
        foreach (long part in parts)
        {
            state ^= (ulong)part + 0x9E3779B97F4A7C15 + (state << 6) + (state >> 2);
            state = Next(state);
        }
        return state;
    }

    static ulong Next(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    public static int MixInt(params long[] parts) => (int)(Mix(parts) & 0x7FFFFFFF);
}
