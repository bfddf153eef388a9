using System.Text.Json.Nodes;
using Oneshot.Model;
using Oneshot.Storage;

namespace Oneshot.Tests.Model;

public class ConfigVersionTests
{
    [Fact]
    public void Version_4_encodes_pqmf_bands_with_a_smaller_beta_and_models_saved_before_keep_their_own_and_load()
    {
        Assert.Equal(EncoderInput.Pqmf, Presets.Get("cpu").Model.EncoderInput);
        Assert.Equal(EncoderInput.Pqmf, Presets.Get("gpu").Model.EncoderInput);
        Assert.Equal(EncoderInput.LogMel,
            RunConfig.Parse("""{"version": 3, "preset": "cpu"}""", "v3").Model.EncoderInput);
        Assert.Equal(EncoderInput.Pqmf, RunConfig.Parse("""{"version": 3, "model": {"encoder_input": "pqmf"}}""",
            "v3 with PQMF bands").Model.EncoderInput);
        Assert.Equal(EncoderInput.Pqmf,
            RunConfig.Parse("""{"version": 2, "preset": "cpu"}""", "v2").Model.EncoderInput);
        Assert.Equal(EncoderInput.Pqmf, RunConfig.Parse("""{"preset": "cpu"}""", "v1").Model.EncoderInput);
        Assert.Equal(EncoderInput.LogMel, RunConfig.Parse("""{"version": 2, "model": {"encoder_input": "log_mel"}}""",
            "v2 with log-mels").Model.EncoderInput);
        Assert.Equal(Activation.LeakyRelu,
            RunConfig.Parse("""{"version": 2, "preset": "cpu"}""", "v2").Model.DecoderActivation);
        Assert.Equal((0.005, 0.005, 0.02), (Presets.Get("cpu").Train.Beta,
            RunConfig.Parse("""{"version": 3, "preset": "cpu"}""", "v3").Train.Beta,
                RunConfig.Parse("""{"version": 2, "preset": "cpu"}""", "v2").Train.Beta));
        Assert.Equal(0.01,
            RunConfig.Parse("""{"version": 2, "train": {"beta": 0.01}}""", "v2 with its own β").Train.Beta);

        // A model directory written by a version-2 build: its config.json has no encoder_input, its
        // weights are a PQMF encoder's. It must load as it was trained.
        using var dir = new TempDir();
        var node = SaveWithoutEncoderInput(dir, EncoderInput.Pqmf, version: 2);
        var (config, loaded) = ModelDirectory.Load(dir.Path);
        using var _ = loaded;
        Assert.Equal(EncoderInput.Pqmf, config.Model.EncoderInput);
        Assert.Equal(RunConfig.CurrentVersion, config.Version);

        // Without the migration the same files would be read as a log-mel encoder, whose weights they lack.
        var asVersion3 = node.DeepClone().AsObject();
        asVersion3["version"] = 3;
        File.WriteAllText(dir.File(ModelDirectory.ConfigFile), asVersion3.ToJsonString());
        Assert.Contains("does not match", Assert.Throws<OneshotException>(() => ModelDirectory.Load(dir.Path)).Message);
    }

    [Fact]
    public void A_version_3_model_without_the_key_loads_as_the_log_mel_encoder_it_was_trained_as()
    {
        using var dir = new TempDir();
        SaveWithoutEncoderInput(dir, EncoderInput.LogMel, version: 3);
        var (config, loaded) = ModelDirectory.Load(dir.Path);
        using var _ = loaded;
        Assert.Equal(EncoderInput.LogMel, config.Model.EncoderInput);
        Assert.Equal(RunConfig.CurrentVersion, config.Version);
    }

    /// <summary>A tiny model directory as a build of <paramref name="version"/> wrote it: weights of an
    /// <paramref name="trained"/> encoder, config.json without the encoder_input key.</summary>
    static JsonObject SaveWithoutEncoderInput(TempDir dir, EncoderInput trained, int version)
    {
        var config = Presets.Get("tiny") with { Model = Presets.Get("tiny").Model with { EncoderInput = trained } };
        using var model = new WaveformVae(config.Model);
        var node = JsonNode.Parse(config.ToJson())!.AsObject();
        node["version"] = version;
        node["model"]!.AsObject().Remove("encoder_input");
        File.WriteAllText(dir.File(ModelDirectory.ConfigFile), node.ToJsonString());
        Safetensors.Save(dir.File(ModelDirectory.WeightsFile), ModelDirectory.Weights(model));
        return node;
    }
}
