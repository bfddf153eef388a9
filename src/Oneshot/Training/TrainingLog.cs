using Oneshot.Audio;
using Oneshot.Model;

namespace Oneshot.Training;

/// <summary>
/// What a training run leaves to read: metrics.csv, TensorBoard scalars, images and audio, and the
/// validation examples as WAV and spectrogram PNG in train/examples/ (originals once, then one
/// folder per validation).
/// </summary>
sealed class TrainingLog : IDisposable
{
    readonly string _trainDirectory;
    readonly int _sampleRate;
    readonly MetricsLog _metrics;
    readonly TensorBoardLog _board;

    public TrainingLog(string trainDirectory, long startStep, int sampleRate)
    {
        _trainDirectory = trainDirectory;
        _sampleRate = sampleRate;
        _metrics = new MetricsLog(Path.Combine(trainDirectory, "metrics.csv"), startStep);
        _board = new TensorBoardLog(Path.Combine(trainDirectory, "tensorboard"));
    }

    public void Train(IReadOnlyDictionary<string, double> values, long step)
    {
        _metrics.Append(values, step, "train");
        foreach (var (name, value) in values) _board.Scalar($"train/{name}", value, step);
    }

    public void Validation(ValidationResult result, TrainConfig config, long step, double elapsed)
    {
        var values = new Dictionary<string, double>
        {
            ["elapsed_s"] = elapsed,
            ["beta"] = Schedules.Beta(config, step),
            ["loss"] = result.Loss,
            ["spectral"] = result.Spectral,
            ["band_spectral"] = result.BandSpectral,
            ["kl"] = result.Kl,
            ["log_mel_l1"] = result.LogMelL1,
            ["si_sdr_db"] = result.SiSdrDb,
            ["active_units"] = result.ActiveUnits,
        };
        _metrics.Append(values, step, "valid");
        foreach (var (name, value) in values.Where(v => v.Key is not ("elapsed_s" or "beta")))
            _board.Scalar($"valid/{name}", value, step);
        WriteExamples($"step-{step:D8}", "reconstruction",
            result.ExampleReconstructions.Select(x => OutputLevel.Fitted(x)).ToArray(), step);
    }

    public void Originals(IReadOnlyList<float[]> examples, long step) =>
        WriteExamples("original", "original", examples, step);

    void WriteExamples(string folderName, string tag, IReadOnlyList<float[]> clips, long step)
    {
        string folder = Path.Combine(_trainDirectory, "examples", folderName);
        Directory.CreateDirectory(folder);
        for (int i = 0; i < clips.Count; i++)
        {
            var spectrogram = Spectrogram.Of(clips[i]);
            WavWriter.Write(Path.Combine(folder, $"example-{i}.wav"), clips[i], _sampleRate);
            File.WriteAllBytes(Path.Combine(folder, $"example-{i}.png"), spectrogram.Png);
            _board.Image($"{tag}/{i}", spectrogram.Png, spectrogram.Width, spectrogram.Height, step);
            _board.Audio($"{tag}/{i}", clips[i], _sampleRate, step);
        }
    }

    public void Dispose() => _board.Dispose();
}
