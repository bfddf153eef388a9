namespace Oneshot.Evaluation;

/// <summary>How close a model's reconstructions of some clips are to their originals, per clip and as a
/// set (VersusTest: the reconstructions against those originals). Attack and decay errors: mean
/// |difference| of the RMS envelope's 10→90 % rise time and its decay to 10 % (the transients a drum
/// sound lives by).</summary>
public sealed record ReconstructionSummary(int Clips, double Spectral, double LogMelL1, double SiSdrDb,
    double AttackErrorMs, double DecayErrorMs,
                                           IdentificationResult Identification, DistributionComparison VersusTest,
                                               string[] Examples,
                                           PartialsResult? Partials = null, double? LsdDb = null, double? SnrDb = null,
                                           RippleResult? FrameGridRipple = null);

/// <summary>Latent-space health: active units and KL per dimension of the Gaussian posterior on the test clips,
/// and the negative log-likelihood per dimension of the test latents under each prior ("standard",
/// "trained").</summary>
public sealed record LatentSummary(int ActiveUnits, double KlPerDimension, Dictionary<string,
    double> PriorNllPerDimension);

/// <summary>Generated clips from one prior ("standard" N(0, I) or "trained"), compared with the test and train
/// clips.</summary>
public sealed record GenerationSummary(string Prior, string PriorKind, int Count, int Seed, double Temperature,
    double MillisecondsPerClip,
                                       DistributionComparison VersusTest, DistributionComparison VersusTrain,
                                           string[] Examples);

/// <summary>Test latents on the first two principal directions of the training posterior.</summary>
public sealed record LatentProjection(double[][] Points, string[] Labels, double[] ExplainedVarianceRatio);

/// <summary>Reconstruction: the test clips (held out); SeenReconstruction: as many train clips, which the model learnt
/// from; Controls: each named control moved across held-out clips (empty when the model's latent.json has none);
/// Disentanglement: the test latents scored against the named descriptors, and against the known generating factors
/// when the dataset has them.</summary>
public sealed record ModelEvaluation(string Name, string Directory, string Description, bool PosteriorFlow,
                                     ReconstructionSummary Reconstruction, ReconstructionSummary SeenReconstruction,
                                         LatentSummary Latent,
                                     IReadOnlyList<GenerationSummary> Generation, LatentProjection? Projection,
                                     IReadOnlyList<ControlTraversal>? Controls = null,
                                     DisentanglementScores? Disentanglement = null,
                                         DisentanglementScores? FactorDisentanglement = null,
                                     TrainingSoFar? Training = null);

/// <summary>Everything `oneshot eval` measured; metrics.json is this record. IdentificationYardsticks: the
/// test clips degraded in known ways, identified as reconstructions are, for scale. RefineSteps: gradient
/// steps on each reconstructed clip's latent after the encoder (0: the encoder's latents).</summary>
public sealed record EvaluationResult(string Embedder, string Dataset, string DatasetHash, int TestClips,
    int TrainClips,
                                      int SamplesPerPrior, int Seed, double Temperature, DistributionOptions Options,
                                      DistributionComparison RealTrainVersusTest, string[] RealExamples,
                                      IReadOnlyList<IdentificationYardstick> IdentificationYardsticks,
                                      IReadOnlyList<ModelEvaluation> Models, DateTimeOffset Created,
                                          int RefineSteps = 0);
