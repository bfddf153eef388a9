using Oneshot.Audio;
using Oneshot.Generation;
using Oneshot.Storage;
using Oneshot.Tests.Cli;
using Oneshot.Tests.Training;

namespace Oneshot.Tests.Audio;

public class OutputLevelTests
{
    [Fact]
    public void A_loud_sound_is_turned_down_whole_and_a_quiet_one_is_left_alone()
    {
        float[] quiet = [0.1f, -0.5f, 0.9f];
        var (same, none) = OutputLevel.Fit(quiet);
        Assert.Equal(quiet, same);
        Assert.Equal(0, none);

        float[] loud = [0.5f, -3f, 1.5f];
        var (fitted, gainDb) = OutputLevel.Fit(loud);
        Assert.Equal(OutputLevel.Ceiling, fitted.Max(Math.Abs), 6);
        for (int i = 0; i < loud.Length; i++)
            Assert.Equal(loud[i] * OutputLevel.Ceiling / 3f, fitted[i], 6);   // the shape kept: nothing clipped
        Assert.Equal(20 * Math.Log10(OutputLevel.Ceiling / 3.0), gainDb, 4);

        // A sample that is not a number neither hides the peak nor leaves as one.
        var (mended, _) = OutputLevel.Fit([float.NaN, 3f, float.PositiveInfinity]);
        Assert.Equal(0f, mended[0]);
        Assert.Equal(OutputLevel.Ceiling, mended[1], 6);
        Assert.Equal(0f, mended[2]);
    }

    [Fact]
    public void Decode_writes_a_loud_latent_turned_down_whole_as_the_kit_and_the_page_do()
    {
        using var dir = new TempDir();
        string data = TinyData.Build(dir, count: 12);
        string model = TinyData.TrainModel(dir, data, steps: 3);
        // Far from the training latents the decoder overshoots: scale one latent up until it does.
        using var runner = new ModelRunner(model);
        using var store = new Oneshot.Data.ClipStore(data);
        float[] own = runner.Encode([store.Read(0)])[0], latent = own, decoded = [];
        for (float scale = 1; scale < 1e4f && !(decoded.Length > 0 && decoded.Max(Math.Abs) > 1.5f); scale *= 2)
        {
            latent = [.. own.Select(v => (v + Math.Sign(v)) * scale)];
            decoded = runner.Decode([latent])[0];
        }
        float peak = decoded.Max(Math.Abs);
        Assert.True(peak > 1.5f, $"no latent decoded loud enough (peak {peak})");
        NpyFile.Write(dir.File("loud.npy"), latent, [1, latent.Length]);

        var (code, output, error) = CliTests.Oneshot("decode", model, dir.File("loud.npy"), "--out",
            dir.File("decoded"));
        Assert.True(code == 0, error + output);
        var written = AudioFile.Read(Directory.GetFiles(dir.File("decoded"), "*.wav").Single()).Channels[0];
        var expected = OutputLevel.Fitted(decoded);
        Assert.Equal(OutputLevel.Ceiling, written.Max(Math.Abs), 3);
        double worst = expected.Zip(written, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-3, $"decode's file is {worst} away from the decoded sound turned down whole (a hard " +
            $"clip would be ~{peak - 1:F2} away)");
    }
}
