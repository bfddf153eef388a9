using Oneshot.Audio;

namespace Oneshot.Evaluation;

/// <summary>The first few clips of each kind as WAV under out/audio/, for the report's players.</summary>
sealed class ExampleWriter(string outDirectory, int sampleRate, int count)
{
    public string[] Write(string folder, IReadOnlyList<float[]> clips)
    {
        string directory = Path.Combine(outDirectory, Evaluator.AudioFolder, folder);
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        for (int i = 0; i < Math.Min(count, clips.Count); i++)
        {
            string file = Path.Combine(directory, $"{i + 1:00}.wav");
            WavWriter.Write(file, OutputLevel.Fitted(clips[i]), sampleRate);
            paths.Add(Path.GetRelativePath(outDirectory, file).Replace('\\', '/'));
        }
        return paths.ToArray();
    }
}
