using Oneshot.Audio;

namespace Oneshot.Evaluation;

/// <summary>
/// A few clips of each kind as WAV under out/audio/, for the report's players and listening tests. Which test clips
/// become examples is drawn with the evaluation's seed, not taken from the top of the split (whose order is the
/// dataset's, so the first few are one kit's first sounds); a clip's reconstruction and degraded copies are the same
/// clip's, so they can be heard side by side.
/// </summary>
sealed class ExampleWriter(string outDirectory, int sampleRate, int count, int seed)
{
    /// <summary>The indices of <paramref name="total"/> clips written as examples, in the list's order.</summary>
    public int[] Picks(int total)
    {
        var order = Enumerable.Range(0, total).ToArray();
        new Random(seed).Shuffle(order);
        return [.. order.Take(Math.Min(count, total)).Order()];
    }

    public string[] Write(string folder, IReadOnlyList<float[]> clips) => Write(folder, clips.Count, i => clips[i]);

    /// <summary>Writes the picked clips of a list made on demand (<paramref name="clipAt"/> is called for those
    /// alone) as folder/01.wav, 02.wav, …</summary>
    public string[] Write(string folder, int total, Func<int, float[]> clipAt)
    {
        string directory = Path.Combine(outDirectory, Evaluator.AudioFolder, folder);
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (int i in Picks(total))
        {
            string file = Path.Combine(directory, $"{paths.Count + 1:00}.wav");
            WavWriter.Write(file, OutputLevel.Fitted(clipAt(i)), sampleRate);
            paths.Add(Path.GetRelativePath(outDirectory, file).Replace('\\', '/'));
        }
        return paths.ToArray();
    }
}
